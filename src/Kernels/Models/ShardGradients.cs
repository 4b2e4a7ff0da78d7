namespace DistTrain.Kernels.Models;

/// <summary>
/// What a replica computed for a range of micro-shards of one step: one partial gradient sum
/// per node of <see cref="Training.MicroShardTree.Cover"/>, in leaf order, and the loss and
/// accuracy counts of those samples.
/// </summary>
/// <param name="Partials">Gradient sums, one per cover node.</param>
/// <param name="LossSum">Σ of the per-sample losses.</param>
/// <param name="Correct">Correctly classified samples (0 for MSE; for binary cross-entropy, samples with every output on the right side of 0.5).</param>
/// <param name="Samples">Number of samples.</param>
public sealed record ShardGradients(IReadOnlyList<PartialGradient> Partials, double LossSum, long Correct, int Samples);
