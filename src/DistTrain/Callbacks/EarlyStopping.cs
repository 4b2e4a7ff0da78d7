using DistTrain.Runs;
using Rule = DistTrain.Kernels.Training.EarlyStopping;

namespace DistTrain.Callbacks;

/// <summary>
/// Keras' <c>EarlyStopping</c>: stops the run when <paramref name="monitor"/> has not improved by
/// more than <paramref name="minDelta"/> for <paramref name="patience"/> epochs (losses improve
/// downwards, accuracies upwards). The same rule as the console's <c>--early-stopping-monitor</c>;
/// <c>val_*</c> needs validation data.
/// </summary>
/// <param name="monitor"><c>val_loss</c>, <c>val_accuracy</c>, <c>loss</c> or <c>accuracy</c>.</param>
/// <param name="patience">Epochs without improvement before stopping, at least 1.</param>
/// <param name="minDelta">Smallest change that counts as an improvement.</param>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 1, double minDelta = 0) : Callback
{
    private readonly EarlyStoppingTracker _tracker = new(Checked(new Rule(monitor, Math.Max(1, patience), minDelta), patience));

    /// <summary>The rule applied.</summary>
    public Rule Rule => _tracker.Rule;

    /// <summary>The epoch (from 1) after which the run was told to stop, or null.</summary>
    public int? StoppedEpoch { get; private set; }

    /// <inheritdoc />
    public override void OnEpochEnd(EpochLogs logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        if (StoppedEpoch is null && _tracker.ShouldStop(new EpochRow(logs.Epoch, logs.Loss, logs.Accuracy, logs.ValidationLoss, logs.ValidationAccuracy, logs.Seconds)))
        {
            StoppedEpoch = logs.Epoch;
            if (Model is not null)
            {
                Model.StopTraining = true;
            }
        }
    }

    private static Rule Checked(Rule rule, int patience)
    {
        rule.Validate();
        if (patience < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(patience), patience, "EarlyStopping: patience must be at least 1.");
        }

        return rule;
    }
}
