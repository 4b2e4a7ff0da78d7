namespace DistTrain.Callbacks;

/// <summary>
/// Hooks into <see cref="Model.Fit"/> (Keras' <c>callbacks.Callback</c>). The methods run on the
/// program's side as the client notices events, in this order: <see cref="OnTrainBegin"/>,
/// then <see cref="OnStepEnd"/> for each step and <see cref="OnEpochEnd"/> for each epoch,
/// with <see cref="OnProgress"/> at every status poll, and <see cref="OnTrainEnd"/>. Set
/// <see cref="Model.StopTraining"/> to end the run after the current epoch.
/// </summary>
public abstract class Callback
{
    /// <summary>The model being trained (set by <see cref="Model.Fit"/> before <see cref="OnTrainBegin"/>).</summary>
    public Model? Model { get; internal set; }

    /// <summary>The run has started.</summary>
    public virtual void OnTrainBegin(TrainBeginLogs logs)
    {
    }

    /// <summary>A step has been applied (reports are polled, so they arrive in bursts).</summary>
    public virtual void OnStepEnd(StepLogs logs)
    {
    }

    /// <summary>An epoch has finished (validation metrics included when there is validation data).</summary>
    public virtual void OnEpochEnd(EpochLogs logs)
    {
    }

    /// <summary>The run's status was polled.</summary>
    public virtual void OnProgress(ProgressLogs logs)
    {
    }

    /// <summary>The run has ended (completed, stopped early or stopped).</summary>
    public virtual void OnTrainEnd(History history)
    {
    }

    /// <summary>Adjusts the run before it starts (checkpoint directory); null keeps it.</summary>
    internal virtual string? CheckpointDirectory => null;
}
