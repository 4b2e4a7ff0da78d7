namespace DistTrain.Callbacks;

/// <summary>A callback made of delegates (Keras' <c>LambdaCallback</c>): any of them may be null.</summary>
/// <param name="onStepEnd">Called with every step's metrics.</param>
/// <param name="onEpochEnd">Called with every epoch's metrics.</param>
/// <param name="onTrainEnd">Called with the history when the run has ended.</param>
public sealed class LambdaCallback(Action<StepLogs>? onStepEnd = null, Action<EpochLogs>? onEpochEnd = null, Action<History>? onTrainEnd = null) : Callback
{
    /// <inheritdoc />
    public override void OnStepEnd(StepLogs logs) => onStepEnd?.Invoke(logs);

    /// <inheritdoc />
    public override void OnEpochEnd(EpochLogs logs) => onEpochEnd?.Invoke(logs);

    /// <inheritdoc />
    public override void OnTrainEnd(History history) => onTrainEnd?.Invoke(history);
}
