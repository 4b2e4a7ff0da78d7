namespace DistTrain.Grains;

/// <summary>
/// One worker's share of a step: micro-shards <c>[FirstShard, FirstShard + ShardCount)</c>
/// of global batch <see cref="Step"/>, computed from the weights of version <see cref="Step"/>.
/// </summary>
/// <param name="Config">The run (the same object every step, so it costs nothing inside a silo).</param>
/// <param name="Step">The step.</param>
/// <param name="FirstShard">First micro-shard, aligned to the range's size.</param>
/// <param name="ShardCount">Micro-shards to compute.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.WorkerStepRequest")]
public sealed record WorkerStepRequest(
    [property: Id(0)] WorkerRunConfig Config,
    [property: Id(1)] long Step,
    [property: Id(2)] int FirstShard,
    [property: Id(3)] int ShardCount);
