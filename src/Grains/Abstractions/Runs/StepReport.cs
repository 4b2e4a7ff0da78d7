namespace DistTrain.Grains;

/// <summary>What one global step did; clients poll these with <see cref="ITrainingRunGrain.GetReports"/>.</summary>
/// <param name="Step">The step (the parameter version it started from).</param>
/// <param name="Epoch">Its epoch.</param>
/// <param name="Loss">Mean loss over the global batch.</param>
/// <param name="Accuracy">Accuracy over the global batch.</param>
/// <param name="GradientNorm">Global norm of the mean gradient before clipping.</param>
/// <param name="LearningRate">Learning rate applied.</param>
/// <param name="Clipped">Whether the gradient was clipped.</param>
/// <param name="Skipped">Whether the step was skipped (non-finite gradient).</param>
/// <param name="Workers">Workers that computed it.</param>
/// <param name="Milliseconds">Wall time of the step at the coordinator.</param>
/// <param name="BytesPushed">Gradient bytes handed to the parameter server (pushed, or lent in memory within a silo).</param>
/// <param name="BytesPulled">Weight bytes taken by workers (read, copied, or borrowed in memory within a silo).</param>
/// <param name="PullMilliseconds">Longest weight fetch of a worker.</param>
/// <param name="ComputeMilliseconds">Longest forward and backward of a worker.</param>
/// <param name="PushMilliseconds">Longest push of partial sums of a worker.</param>
/// <param name="SlowestWorkerMilliseconds">Round trip of the slowest worker call, seen by the coordinator (the rest of the step is the reduction and the update).</param>
/// <param name="WireBytes">Bytes of weights and gradients that crossed between silos in grain messages (all workers; memory shared within a silo is not counted).</param>
/// <param name="Stragglers">Per-worker phases of the step, in plan order (empty in reports from older versions).</param>
[GenerateSerializer, Immutable, Alias("DistTrain.StepReport")]
public sealed record StepReport(
    [property: Id(0)] long Step,
    [property: Id(1)] int Epoch,
    [property: Id(2)] double Loss,
    [property: Id(3)] double Accuracy,
    [property: Id(4)] double GradientNorm,
    [property: Id(5)] double LearningRate,
    [property: Id(6)] bool Clipped,
    [property: Id(7)] bool Skipped,
    [property: Id(8)] int Workers,
    [property: Id(9)] double Milliseconds,
    [property: Id(10)] long BytesPushed,
    [property: Id(11)] long BytesPulled,
    [property: Id(12)] double PullMilliseconds = 0,
    [property: Id(13)] double ComputeMilliseconds = 0,
    [property: Id(14)] double PushMilliseconds = 0,
    [property: Id(15)] double SlowestWorkerMilliseconds = 0,
    [property: Id(16)] long WireBytes = 0,
    [property: Id(17)] IReadOnlyList<WorkerPhases>? Stragglers = null);
