using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>Nearest-neighbour up-sampling. input (B, h·w·c); output (B, h·sh · w·sw · c). No parameters.</summary>
public sealed class UpSampling2DLayer : Layer
{
    /// <summary>Creates the layer for samples <c>[h, w, c]</c> and scale <paramref name="size"/> (height, width).</summary>
    public UpSampling2DLayer(string name, IReadOnlyList<int> inputShape, Size2D size)
        : base(name, inputShape, [inputShape[0] * size.Height, inputShape[1] * size.Width, inputShape[2]])
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size.Height, nameof(size));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size.Width, nameof(size));
        Size = size;
    }

    /// <summary>Scale (height, width).</summary>
    public Size2D Size { get; }

    /// <inheritdoc />
    public override void Forward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, int rows) =>
        context.Backend.UpSampleForward(input, output, rows, InputShape[0], InputShape[1], InputShape[2], Size.Height, Size.Width);

    /// <inheritdoc />
    public override void Backward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, BufferSpan gradOutput, BufferSpan? gradInput, int rows)
    {
        if (gradInput is { } gi)
        {
            context.Backend.UpSampleBackward(gradOutput, gi, rows, InputShape[0], InputShape[1], InputShape[2], Size.Height, Size.Width);
        }
    }
}
