using DistTrain.Kernels.Training;

namespace DistTrain.Runs;

/// <summary>
/// Applies the Kernels' <see cref="EarlyStopping"/> rule to a run watched from a client:
/// fed one finished epoch at a time, it says when the monitored metric has not improved
/// for <see cref="EarlyStopping.Patience"/> epochs in a row.
/// </summary>
/// <param name="rule">The monitored metric, patience and minimum change.</param>
public sealed class EarlyStoppingTracker(EarlyStopping rule)
{
    private double? _best;
    private int _wait;

    /// <summary>The rule applied.</summary>
    public EarlyStopping Rule { get; } = rule;

    /// <summary>Feeds one finished epoch; true when the run should stop now.</summary>
    public bool ShouldStop(EpochRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        double? value = Rule.Monitor switch
        {
            "val_loss" => row.ValidationLoss,
            "val_accuracy" => row.ValidationAccuracy,
            "loss" => row.Loss,
            "accuracy" => row.Accuracy,
            _ => throw new InvalidOperationException($"Early stopping cannot monitor '{Rule.Monitor}'."),
        };
        if (value is not { } current || !double.IsFinite(current))
        {
            return false;
        }

        if (_best is null || Rule.IsImprovement(current, _best.Value))
        {
            _best = current;
            _wait = 0;
            return false;
        }

        return ++_wait >= Math.Max(1, Rule.Patience);
    }
}
