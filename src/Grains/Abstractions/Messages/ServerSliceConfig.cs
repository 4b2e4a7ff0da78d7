namespace DistTrain.Grains;

/// <summary>
/// Sets up one parameter-server slice for a run: it owns floats
/// <c>[Offset, Offset + Length)</c> of the flat parameter vector, starts with zero weights
/// and optimiser state (filled afterwards with <see cref="IParameterServerGrain.Write"/>) at
/// version <see cref="Step"/>.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Slice">Index of the slice.</param>
/// <param name="Offset">First float owned, in the flat vector.</param>
/// <param name="Length">Floats owned.</param>
/// <param name="Optimizer">The update rule.</param>
/// <param name="MicroShards">Leaves of the micro-shard tree.</param>
/// <param name="GlobalBatch">Samples per step (the gradient sum is divided by it).</param>
/// <param name="Step">Version of the weights that will be written.</param>
/// <param name="AppliedUpdates">Optimiser updates applied before <paramref name="Step"/> (steps minus skipped steps): Adam's bias-correction count.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.ServerSliceConfig")]
public sealed record ServerSliceConfig(
    [property: Id(0)] string RunId,
    [property: Id(1)] int Slice,
    [property: Id(2)] int Offset,
    [property: Id(3)] int Length,
    [property: Id(4)] OptimizerSettings Optimizer,
    [property: Id(5)] int MicroShards,
    [property: Id(6)] int GlobalBatch,
    [property: Id(7)] long Step,
    [property: Id(8)] long AppliedUpdates = 0);
