using DistTrain.Kernels.Optim;

namespace DistTrain.Kernels.Training;

/// <summary>Settings of a training run (the local loop and the distributed one share them).</summary>
/// <param name="BatchSize">Global batch size: samples per optimiser step.</param>
/// <param name="Epochs">Epochs per <see cref="LocalTrainer.Fit"/>.</param>
/// <param name="Optimizer">The SGD settings.</param>
/// <param name="MicroShards">Micro-shards per global batch (a power of two dividing the batch).</param>
/// <param name="Seed">Seed of the initial weights and of the per-epoch shuffle.</param>
/// <param name="ValidationSplit">Fraction of the training data (the last samples, as in Keras) held out for validation; 0 for none.</param>
/// <param name="EarlyStopping">Early stopping, or null for none.</param>
/// <param name="Shuffle">Shuffle the training samples every epoch.</param>
/// <param name="TopK">The k of the top-k accuracy reported beside accuracy (Keras <c>top_k_categorical_accuracy</c>, default 5).</param>
public sealed record TrainingOptions(
    int BatchSize,
    int Epochs,
    OptimizerSpec Optimizer,
    int MicroShards = 8,
    ulong Seed = 0,
    double ValidationSplit = 0,
    EarlyStopping? EarlyStopping = null,
    bool Shuffle = true,
    int TopK = 5)
{
    /// <summary>Throws a clear exception when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        if (BatchSize <= 0 || Epochs < 0)
        {
            throw new ArgumentException($"Training needs BatchSize > 0 and Epochs ≥ 0, got {BatchSize} and {Epochs}.");
        }

        MicroShardTree.CheckLeafCount(MicroShards);
        if (BatchSize % MicroShards != 0)
        {
            throw new ArgumentException($"The batch size ({BatchSize}) must be a multiple of the number of micro-shards ({MicroShards}).");
        }

        if (!(ValidationSplit >= 0 && ValidationSplit < 1))
        {
            throw new ArgumentException($"ValidationSplit must be in [0, 1), got {ValidationSplit}.");
        }

        if (TopK <= 0)
        {
            throw new ArgumentException($"TopK must be positive, got {TopK}.");
        }

        Optimizer.Validate();
        EarlyStopping?.Validate();
    }
}
