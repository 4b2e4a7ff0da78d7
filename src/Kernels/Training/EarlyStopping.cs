namespace DistTrain.Kernels.Training;

/// <summary>
/// Keras-style early stopping: stop when <see cref="Monitor"/> has not improved by more than
/// <see cref="MinDelta"/> for <see cref="Patience"/> epochs. Losses improve downwards,
/// accuracies upwards.
/// </summary>
/// <param name="Monitor"><c>val_loss</c>, <c>val_accuracy</c>, <c>loss</c> or <c>accuracy</c>.</param>
/// <param name="Patience">Epochs without improvement tolerated before stopping.</param>
/// <param name="MinDelta">Smallest change that counts as an improvement (≥ 0).</param>
/// <param name="RestoreBestWeights">On stopping, go back to the weights of the best epoch.</param>
public sealed record EarlyStopping(string Monitor = "val_loss", int Patience = 0, double MinDelta = 0, bool RestoreBestWeights = false)
{
    /// <summary>The metrics that can be monitored.</summary>
    public static IReadOnlyList<string> Metrics { get; } = ["val_loss", "val_accuracy", "loss", "accuracy"];

    /// <summary>Whether larger values of <see cref="Monitor"/> are better.</summary>
    public bool HigherIsBetter => Monitor.EndsWith("accuracy", StringComparison.Ordinal);

    /// <summary>Whether the monitored metric needs validation data.</summary>
    public bool NeedsValidation => Monitor.StartsWith("val_", StringComparison.Ordinal);

    /// <summary>Throws a clear exception for an unknown metric or a negative setting.</summary>
    public void Validate()
    {
        if (!Metrics.Contains(Monitor))
        {
            throw new ArgumentException($"Early stopping cannot monitor '{Monitor}'; use one of {string.Join(", ", Metrics)}.");
        }

        if (Patience < 0 || !(MinDelta >= 0))
        {
            throw new ArgumentException($"Early stopping needs Patience ≥ 0 and MinDelta ≥ 0, got {Patience} and {MinDelta}.");
        }
    }

    /// <summary>Whether <paramref name="current"/> improves on <paramref name="best"/> by more than <see cref="MinDelta"/>.</summary>
    public bool IsImprovement(double current, double best) =>
        HigherIsBetter ? current - MinDelta > best : current + MinDelta < best;
}
