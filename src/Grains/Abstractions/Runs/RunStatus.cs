namespace DistTrain.Grains;

/// <summary>A snapshot of a run, cheap to poll.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="State">Where the run is.</param>
/// <param name="Step">Steps completed (the parameter version).</param>
/// <param name="Epoch">Epoch of the next step.</param>
/// <param name="TotalSteps">Steps the run will take in all.</param>
/// <param name="StepsPerEpoch">Global batches per epoch.</param>
/// <param name="Workers">Workers used by the last step.</param>
/// <param name="SkippedSteps">Steps skipped because the gradient was not finite.</param>
/// <param name="ClippedSteps">Steps whose gradient was clipped.</param>
/// <param name="LastLoss">Mean training loss of the last step (NaN before the first).</param>
/// <param name="LastAccuracy">Training accuracy of the last step (NaN before the first).</param>
/// <param name="Epochs">One summary per finished epoch.</param>
/// <param name="LastCheckpoint">Path of the last checkpoint written, if any.</param>
/// <param name="Error">Why the run failed, or the last recovered fault.</param>
/// <param name="CoordinatorSilo">The silo hosting the coordinator (diagnostics).</param>
/// <param name="LogDirectory">Where the coordinator writes the run's TensorBoard event files (null before the run starts).</param>
[GenerateSerializer, Immutable, Alias("DistTrain.RunStatus")]
public sealed record RunStatus(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunState State,
    [property: Id(2)] long Step,
    [property: Id(3)] int Epoch,
    [property: Id(4)] long TotalSteps,
    [property: Id(5)] int StepsPerEpoch,
    [property: Id(6)] int Workers,
    [property: Id(7)] long SkippedSteps,
    [property: Id(8)] long ClippedSteps,
    [property: Id(9)] double LastLoss,
    [property: Id(10)] double LastAccuracy,
    [property: Id(11)] IReadOnlyList<EpochSummary> Epochs,
    [property: Id(12)] string? LastCheckpoint,
    [property: Id(13)] string? Error,
    [property: Id(14)] string? CoordinatorSilo,
    [property: Id(15)] string? LogDirectory = null);
