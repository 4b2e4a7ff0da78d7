namespace DistTrain.Grains;

/// <summary>Where one worker's time went in one step (the straggler view of <c>disttrain status</c>).</summary>
/// <param name="WorkerKey">The worker's key (<c>{silo}/{device}</c>).</param>
/// <param name="Milliseconds">Round trip of its call, seen by the coordinator.</param>
/// <param name="ComputeMilliseconds">Its forward and backward.</param>
/// <param name="PullWaitMilliseconds">Time it waited for weights (before and during its forward).</param>
/// <param name="PushWaitMilliseconds">Time it waited for its gradient pushes after its backward ended.</param>
/// <param name="WireBytes">Bytes it sent and received to and from other silos.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.WorkerPhases")]
public sealed record WorkerPhases(
    [property: Id(0)] string WorkerKey,
    [property: Id(1)] double Milliseconds,
    [property: Id(2)] double ComputeMilliseconds,
    [property: Id(3)] double PullWaitMilliseconds,
    [property: Id(4)] double PushWaitMilliseconds,
    [property: Id(5)] long WireBytes);
