namespace DistTrain.Grains.Planning;

/// <summary>Micro-shards <c>[First, First + Count)</c> of a step assigned to worker number <see cref="Worker"/>.</summary>
/// <param name="Worker">Index into the list of workers the plan was made for.</param>
/// <param name="First">First micro-shard.</param>
/// <param name="Count">Number of micro-shards.</param>
public readonly record struct ShardAssignment(int Worker, int First, int Count);
