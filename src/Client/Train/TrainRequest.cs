using DistTrain.Grains;

namespace DistTrain.Client.Train;

/// <summary>
/// A training run as the console resolved it from preset, spec file and flags (flags win
/// over the file, the file over the preset): what it sends to the cluster and what it
/// evaluates locally afterwards. With <see cref="Folds"/> ≥ 2 it is a k-fold
/// cross-validation run, trained in this process by the local trainer.
/// </summary>
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
    /// <summary>True for k-fold cross-validation (<c>--folds k</c>), which trains in this process instead of on the cluster.</summary>
    public bool CrossValidates => Folds > 0;

    /// <summary>The <see cref="RunSpec"/> handed to the run's coordinator grain.</summary>
    public RunSpec ToRunSpec() => new(
        ModelSpecJson,
        Data.ToDataSpec("train", ValidationSplit),
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
        LogDirectory: LogDirectory);
}
