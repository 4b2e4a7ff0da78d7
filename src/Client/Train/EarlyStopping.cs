using DistTrain.Client.Output;

namespace DistTrain.Client.Train;

/// <summary>
/// Keras-style early stopping: the run stops once the monitored metric has not improved
/// for <see cref="Patience"/> epochs in a row (losses must fall, accuracies rise).
/// </summary>
public sealed class EarlyStopping(string monitor, int patience)
{
    private double _best = double.NaN;
    private int _wait;

    /// <summary>val_loss, val_accuracy, loss or accuracy.</summary>
    public string Monitor { get; } = monitor;

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; } = patience;

    /// <summary>Feeds one finished epoch; true when the run should stop now.</summary>
    public bool ShouldStop(EpochRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        double? value = Monitor switch
        {
            "val_loss" => row.ValidationLoss,
            "val_accuracy" => row.ValidationAccuracy,
            "loss" => row.Loss,
            "accuracy" => row.Accuracy,
            _ => throw new InvalidOperationException($"unknown early-stopping monitor '{Monitor}'."),
        };
        if (value is not { } current || !double.IsFinite(current))
        {
            return false;
        }

        var improved = double.IsNaN(_best) || (Monitor.EndsWith("loss", StringComparison.Ordinal) ? current < _best : current > _best);
        if (improved)
        {
            _best = current;
            _wait = 0;
            return false;
        }

        return ++_wait >= Patience;
    }
}
