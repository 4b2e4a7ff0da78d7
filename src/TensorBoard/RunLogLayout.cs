namespace DistTrain.TensorBoard;

/// <summary>
/// The runs (sub-folders) and tags of a DistTrain run's TensorBoard log, shared by the
/// coordinator that writes it and the console that charts it.
/// </summary>
public static class RunLogLayout
{
    /// <summary>One point per global step, at the step's number (from 0).</summary>
    public const string StepsRun = "steps";

    /// <summary>Training metrics per epoch, at the number of epochs completed (1 for the first).</summary>
    public const string TrainRun = "train";

    /// <summary>Validation metrics per epoch, at the same steps and with the same tags as <see cref="TrainRun"/>.</summary>
    public const string ValidationRun = "validation";

    /// <summary>Prefix of the per-epoch tags (<c>epoch_loss</c>, <c>epoch_accuracy</c>...).</summary>
    public const string EpochPrefix = "epoch_";

    /// <summary>Prefix of the per-worker step-time tags in <see cref="StepsRun"/>, followed by the worker's key.</summary>
    public const string WorkerStepPrefix = "worker_step_ms/";
}
