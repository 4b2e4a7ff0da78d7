using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Models;

/// <summary>A partial gradient sum still in the replica's backend memory.</summary>
/// <param name="Node">The micro-shard tree node covered.</param>
/// <param name="Gradient">The sum, in the flat parameter layout.</param>
public readonly record struct DevicePartialGradient(TreeNode Node, BufferSpan Gradient);

/// <summary>
/// <see cref="ShardGradients"/> before the download: the partial sums live in buffers owned by
/// the <see cref="ModelReplica"/> and stay valid until its next call.
/// </summary>
/// <param name="Partials">Gradient sums, one per cover node, in leaf order.</param>
/// <param name="LossSum">Σ of the per-sample losses.</param>
/// <param name="Correct">Correctly classified samples (see <see cref="ShardGradients.Correct"/>).</param>
/// <param name="Samples">Number of samples.</param>
public sealed record DeviceGradients(IReadOnlyList<DevicePartialGradient> Partials, double LossSum, long Correct, int Samples);
