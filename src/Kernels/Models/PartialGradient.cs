using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Models;

/// <summary>The gradient SUM over the micro-shards under <paramref name="Node"/>, in the flat parameter layout.</summary>
/// <param name="Node">The micro-shard tree node this partial sum covers.</param>
/// <param name="Gradient">Σ over the node's samples of ∂loss/∂weights (not averaged).</param>
public sealed record PartialGradient(TreeNode Node, float[] Gradient);
