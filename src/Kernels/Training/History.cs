namespace DistTrain.Kernels.Training;

/// <summary>What <see cref="LocalTrainer.Fit"/> did, epoch by epoch (Keras' History).</summary>
/// <param name="Epochs">Per-epoch metrics, in order.</param>
/// <param name="StoppedEarly">Early stopping ended the run before the last epoch.</param>
/// <param name="BestEpoch">The epoch with the best monitored value, or null without early stopping.</param>
public sealed record History(IReadOnlyList<EpochMetrics> Epochs, bool StoppedEarly, long? BestEpoch)
{
    /// <summary>One metric over the epochs (for example <c>History.Series("val_loss")</c>); null entries where it was not measured.</summary>
    public IReadOnlyList<double?> Series(string metric) => [.. Epochs.Select(e => e[metric])];
}
