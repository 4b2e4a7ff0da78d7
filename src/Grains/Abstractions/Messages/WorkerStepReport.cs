namespace DistTrain.Grains;

/// <summary>What a worker did for one step (its partial sums went to the servers).</summary>
/// <param name="Step">The step.</param>
/// <param name="LossSum">Sum of the per-sample losses over its micro-shards.</param>
/// <param name="Correct">Samples classified correctly.</param>
/// <param name="Samples">Samples computed.</param>
/// <param name="PullMilliseconds">Time from the start of the step until the first layer's weights were in place (later layers' weights keep arriving during the forward).</param>
/// <param name="ComputeMilliseconds">Time spent in forward and backward.</param>
/// <param name="PushMilliseconds">Time from the end of the backward until every partial sum was taken (pushes started during the backward overlap it).</param>
/// <param name="BytesPulled">Weight bytes taken from the slices: read in grain calls, copied, or borrowed in memory from a slice of the same silo (0 when cached).</param>
/// <param name="BytesPushed">Gradient bytes handed to the slices: pushed in grain calls or lent in memory to a slice of the same silo.</param>
/// <param name="WireBytes">Bytes of weights read from and gradients pushed to slices of other silos (what crossed the network).</param>
/// <param name="PullWaitMilliseconds">Time the compute waited for weights (before the first layer and between layers).</param>
/// <param name="PushWaitMilliseconds">Time spent after the backward waiting for the pushes to be taken.</param>
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
    [property: Id(8)] long BytesPushed,
    [property: Id(9)] long WireBytes = 0,
    [property: Id(10)] double PullWaitMilliseconds = 0,
    [property: Id(11)] double PushWaitMilliseconds = 0);
