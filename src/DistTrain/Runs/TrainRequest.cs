using DistTrain.Grains;

namespace DistTrain.Runs;

/// <summary>
/// A training run as the console resolved it from preset, spec file and flags (flags win
/// over the file, the file over the preset): what it sends to the cluster and what it
/// evaluates locally afterwards. With <see cref="Folds"/> ≥ 2 it is a k-fold
/// cross-validation run, trained in this process by the local trainer. <see cref="DistTrain.Model.Fit"/>
/// builds one too: both start the run the same way.
/// </summary>
/// <param name="RunId">Name of the run (its coordinator grain's key).</param>
/// <param name="Preset">The preset it started from, if any.</param>
/// <param name="ModelSpecJson">The model, as <c>ModelSpec.ToJson()</c> writes it.</param>
/// <param name="Data">The data set.</param>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="BatchSize">Global batch size over all workers.</param>
/// <param name="MicroShards">Micro-shards per global batch (a power of two).</param>
/// <param name="Seed">Seed of the initial weights and the shuffles.</param>
/// <param name="Optimizer">Optimiser settings of the parameter server.</param>
/// <param name="ValidationSplit">Fraction of the training data held out for validation, in [0, 1).</param>
/// <param name="EarlyStoppingMonitor">Metric early stopping watches, or null.</param>
/// <param name="Patience">Epochs without improvement before early stopping.</param>
/// <param name="Workers">Workers to use (0: every device).</param>
/// <param name="ServerSlices">Parameter-server grains (0: one per silo with workers).</param>
/// <param name="CheckpointDirectory">Directory of the run's checkpoints, or null for the silo's default.</param>
/// <param name="CheckpointInterval">Checkpoint every this many steps (0: at epoch ends and on stop).</param>
/// <param name="ResumeFrom">Checkpoint to start from, or null.</param>
/// <param name="Folds">k of k-fold cross-validation, 0 for none.</param>
/// <param name="LogDirectory">Directory of the run's TensorBoard event files, or null for the default (logs in the checkpoint directory).</param>
public sealed record TrainRequest(
    string RunId,
    string? Preset,
    string ModelSpecJson,
    DataSetReference Data,
    int Epochs,
    int BatchSize,
    int MicroShards,
    ulong Seed,
    OptimizerSettings Optimizer,
    double ValidationSplit,
    string? EarlyStoppingMonitor,
    int Patience,
    int Workers,
    int ServerSlices,
    string? CheckpointDirectory,
    int CheckpointInterval,
    string? ResumeFrom,
    int Folds = 0,
    string? LogDirectory = null)
{
    /// <summary>
    /// The split the workers train on: <c>train</c> (less the validation fraction), or a range of
    /// it such as <c>train[:25%]</c> (then <see cref="ValidationSplit"/> must be 0).
    /// </summary>
    public string TrainSplit { get; init; } = "train";

    /// <summary>True for k-fold cross-validation (<c>--folds k</c>), which trains in this process instead of on the cluster.</summary>
    public bool CrossValidates => Folds > 0;

    /// <summary>
    /// Gradients are pushed in buckets of about this many bytes while the backward is still running,
    /// and weights read in buckets of this size (0: one push after the backward); default 512 KiB.
    /// </summary>
    public int BucketBytes { get; init; } = RunSpec.DefaultBucketBytes;

    /// <summary>Wire encoding of pushed gradients: none (float32, the default) or bfloat16 with error feedback.</summary>
    public GradientCompression Compression { get; init; } = GradientCompression.None;

    /// <summary>The <see cref="RunSpec"/> handed to the run's coordinator grain.</summary>
    public RunSpec ToRunSpec() => new(
        ModelSpecJson,
        Data.ToDataSpec(TrainSplit, ValidationSplit),
        BatchSize,
        MicroShards,
        Epochs,
        Seed,
        Optimizer,
        Workers,
        ServerSlices,
        CheckpointDirectory,
        CheckpointInterval,
        MaxSteps: null,
        ResumeFrom,
        BucketBytes,
        Compression,
        LogDirectory);
}
