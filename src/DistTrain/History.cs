using DistTrain.Callbacks;
using DistTrain.Runs;

namespace DistTrain;

/// <summary>
/// What <see cref="Model.Fit"/> did, epoch by epoch (Keras' <c>History</c>):
/// <c>history["val_loss"]</c> is the series of one metric.
/// </summary>
/// <param name="Epochs">One entry per finished epoch, in order.</param>
/// <param name="Summary">The run's summary, as the console prints it (state, time, throughput, checkpoint).</param>
public sealed record History(IReadOnlyList<EpochLogs> Epochs, RunSummary Summary)
{
    /// <summary>The run's id.</summary>
    public string RunId => Summary.RunId;

    /// <summary>Whether early stopping (or <see cref="Model.StopTraining"/>) ended the run before its last epoch.</summary>
    public bool StoppedEarly => Summary.StoppedEarly;

    /// <summary>One metric over the epochs (<c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, <c>val_accuracy</c>); null where it was not measured.</summary>
    public IReadOnlyList<double?> this[string metric] => [.. Epochs.Select(e => e[metric])];
}
