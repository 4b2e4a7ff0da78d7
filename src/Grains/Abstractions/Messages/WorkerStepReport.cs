namespace DistTrain.Grains;

/// <summary>What a worker did for one step (its partial sums went to the servers).</summary>
/// <param name="Step">The step.</param>
/// <param name="LossSum">Sum of the per-sample losses over its micro-shards.</param>
/// <param name="Correct">Samples classified correctly.</param>
/// <param name="Samples">Samples computed.</param>
/// <param name="PullMilliseconds">Time spent fetching weights (0 when cached).</param>
/// <param name="ComputeMilliseconds">Time spent in forward and backward.</param>
/// <param name="PushMilliseconds">Time spent pushing partial sums.</param>
/// <param name="BytesPulled">Weight bytes taken from the slices: read in grain calls, copied, or borrowed in memory from a slice of the same silo (0 when cached).</param>
/// <param name="BytesPushed">Gradient bytes handed to the slices: pushed in grain calls or lent in memory to a slice of the same silo.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.WorkerStepReport")]
public sealed record WorkerStepReport(
    [property: Id(0)] long Step,
    [property: Id(1)] double LossSum,
    [property: Id(2)] long Correct,
    [property: Id(3)] int Samples,
    [property: Id(4)] double PullMilliseconds,
    [property: Id(5)] double ComputeMilliseconds,
    [property: Id(6)] double PushMilliseconds,
    [property: Id(7)] long BytesPulled,
    [property: Id(8)] long BytesPushed);
