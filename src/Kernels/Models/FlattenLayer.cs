using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>Flatten: the row layout is already flat, so forward and backward are copies. input, output: (B, size).</summary>
public sealed class FlattenLayer : Layer
{
    /// <summary>Creates the layer for samples of <paramref name="inputShape"/>.</summary>
    public FlattenLayer(string name, IReadOnlyList<int> inputShape)
        : base(name, inputShape, [inputShape.Aggregate(1, (a, d) => checked(a * d))])
    {
    }

    /// <inheritdoc />
    public override void Forward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, int rows) =>
        context.Backend.Copy(input.Slice(0, rows * InputSize), output.Slice(0, rows * OutputSize));

    /// <inheritdoc />
    public override void Backward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, BufferSpan gradOutput, BufferSpan? gradInput, int rows)
    {
        if (gradInput is { } gi)
        {
            context.Backend.Copy(gradOutput.Slice(0, rows * OutputSize), gi.Slice(0, rows * InputSize));
        }
    }
}
