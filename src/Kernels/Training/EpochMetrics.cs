namespace DistTrain.Kernels.Training;

/// <summary>Metrics of one epoch of <see cref="LocalTrainer.Fit"/>.</summary>
/// <param name="Epoch">0-based epoch number (global, counted from step 0).</param>
/// <param name="Loss">Mean training loss over the epoch's steps (each with the weights of its step, as Keras reports it).</param>
/// <param name="Accuracy">Training accuracy over the epoch's steps.</param>
/// <param name="ValidationLoss">Loss on the validation data at the end of the epoch, or null without validation.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation data, or null.</param>
/// <param name="LearningRate">Learning rate of the epoch's last step.</param>
/// <param name="SkippedSteps">Steps skipped for a non-finite gradient.</param>
/// <param name="ClippedSteps">Steps whose gradient was clipped.</param>
/// <param name="Duration">Wall-clock time of the epoch, validation included.</param>
/// <param name="ValidationTopKAccuracy">Top-k accuracy on the validation data (k = <see cref="TrainingOptions.TopK"/>), or null.</param>
public sealed record EpochMetrics(
    long Epoch,
    double Loss,
    double Accuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    float LearningRate,
    int SkippedSteps,
    int ClippedSteps,
    TimeSpan Duration,
    double? ValidationTopKAccuracy = null)
{
    /// <summary>The value of a metric by its Keras name (<c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, <c>val_accuracy</c>, <c>val_top_k_accuracy</c>).</summary>
    public double? this[string metric] => metric switch
    {
        "loss" => Loss,
        "accuracy" => Accuracy,
        "val_loss" => ValidationLoss,
        "val_accuracy" => ValidationAccuracy,
        "val_top_k_accuracy" => ValidationTopKAccuracy,
        _ => throw new ArgumentException($"Unknown metric '{metric}'; use loss, accuracy, val_loss, val_accuracy or val_top_k_accuracy.", nameof(metric)),
    };
}
