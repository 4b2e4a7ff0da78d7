namespace DistTrain.Kernels.Models;

/// <summary>One row of a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">Layer name, for example <c>conv2d_0</c>.</param>
/// <param name="Type">Layer type, for example <c>Conv2D</c>.</param>
/// <param name="OutputShape">Shape of one output sample.</param>
/// <param name="Parameters">Number of parameters.</param>
public sealed record LayerSummary(string Name, string Type, IReadOnlyList<int> OutputShape, int Parameters);
