namespace DistTrain.Grains.Runs;

/// <summary>
/// The coordinator's persisted state. It is written at start, at every checkpoint and on
/// every change of <see cref="State"/> — not every step: after a failover the run rewinds
/// to <see cref="LastCheckpoint"/>, whose step it records.
/// </summary>
[GenerateSerializer, Alias("DistTrain.TrainingRunState")]
public sealed class TrainingRunState
{
    /// <summary>The run's spec (null before the first start).</summary>
    [Id(0)] public RunSpec? Spec { get; set; }

    /// <summary>Where the run is.</summary>
    [Id(1)] public RunState State { get; set; }

    /// <summary>Steps applied.</summary>
    [Id(2)] public long Step { get; set; }

    /// <summary>Steps skipped for a non-finite gradient.</summary>
    [Id(3)] public long SkippedSteps { get; set; }

    /// <summary>Steps whose gradient was clipped.</summary>
    [Id(4)] public long ClippedSteps { get; set; }

    /// <summary>Mean loss of the last step.</summary>
    [Id(5)] public double LastLoss { get; set; } = double.NaN;

    /// <summary>Accuracy of the last step.</summary>
    [Id(6)] public double LastAccuracy { get; set; } = double.NaN;

    /// <summary>Summaries of the finished epochs.</summary>
    [Id(7)] public List<EpochSummary> Epochs { get; set; } = [];

    /// <summary>Path of the last checkpoint written.</summary>
    [Id(8)] public string? LastCheckpoint { get; set; }

    /// <summary>Why the run failed, or the last recovered fault.</summary>
    [Id(9)] public string? Error { get; set; }

    /// <summary>Step of <see cref="LastCheckpoint"/>.</summary>
    [Id(10)] public long CheckpointStep { get; set; } = -1;

    /// <summary>Steps of the whole run (kept so a finished run's status needs no data set after a restart).</summary>
    [Id(11)] public long TotalSteps { get; set; }

    /// <summary>Steps per epoch.</summary>
    [Id(12)] public int StepsPerEpoch { get; set; }

    /// <summary>Workers of the last step.</summary>
    [Id(13)] public int Workers { get; set; }

    /// <summary>Raised by every activation that takes the run over (<see cref="CoordinatorFence"/>).</summary>
    [Id(14)] public long Generation { get; set; }

    /// <summary>Server slices of the run: <see cref="RunSpec.ServerSlices"/>, or (for 0) the number of silos with workers when it started.</summary>
    [Id(15)] public int ServerSlices { get; set; }
}
