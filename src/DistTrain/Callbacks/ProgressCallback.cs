using System.Globalization;

namespace DistTrain.Callbacks;

/// <summary>
/// Progress of a run: <paramref name="onProgress"/> at every status poll (step, loss, throughput,
/// time left), or, with <see cref="ToWriter"/>, one line per epoch as Keras' <c>verbose=2</c> prints.
/// </summary>
/// <param name="onProgress">Called at every poll.</param>
/// <param name="onEpoch">Called with every finished epoch.</param>
public sealed class ProgressCallback(Action<ProgressLogs>? onProgress, Action<EpochLogs, int>? onEpoch = null) : Callback
{
    private int _epochs;

    /// <summary>Writes <c>epoch 1/10  loss 0.3012  acc 91.20%  val_loss …  3.1 s</c> lines to <paramref name="writer"/>.</summary>
    public static ProgressCallback ToWriter(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return new ProgressCallback(null, (logs, epochs) =>
        {
            writer.WriteLine(Describe(logs, epochs));
            writer.Flush();
        });
    }

    /// <summary>The line <see cref="ToWriter"/> prints for an epoch of <paramref name="epochs"/>.</summary>
    public static string Describe(EpochLogs logs, int epochs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var text = string.Create(CultureInfo.InvariantCulture, $"epoch {logs.Epoch}/{epochs}  loss {logs.Loss:0.0000}");
        if (logs.Accuracy is { } accuracy)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"  acc {accuracy * 100:0.00}%");
        }

        if (logs.ValidationLoss is { } validationLoss)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"  val_loss {validationLoss:0.0000}");
        }

        if (logs.ValidationAccuracy is { } validationAccuracy)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"  val_acc {validationAccuracy * 100:0.00}%");
        }

        return text + string.Create(CultureInfo.InvariantCulture, $"  {logs.Seconds:0.0} s");
    }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainBeginLogs logs) => _epochs = logs?.Epochs ?? 0;

    /// <inheritdoc />
    public override void OnProgress(ProgressLogs logs) => onProgress?.Invoke(logs);

    /// <inheritdoc />
    public override void OnEpochEnd(EpochLogs logs) => onEpoch?.Invoke(logs, _epochs);
}
