namespace DistTrain.Grains;

/// <summary>Where a training run is in its life.</summary>
[GenerateSerializer, Alias("DistTrain.RunState")]
public enum RunState
{
    /// <summary>No run was started under this id.</summary>
    NotStarted,

    /// <summary>Steps are being driven.</summary>
    Running,

    /// <summary>Held in memory between steps; <see cref="ITrainingRunGrain.Resume"/> continues.</summary>
    Paused,

    /// <summary>Stopped with a checkpoint written; <see cref="ITrainingRunGrain.Resume"/> reloads it.</summary>
    Stopped,

    /// <summary>All epochs (or the step limit) done.</summary>
    Completed,

    /// <summary>Failed; <see cref="RunStatus.Error"/> says why.</summary>
    Failed,
}
