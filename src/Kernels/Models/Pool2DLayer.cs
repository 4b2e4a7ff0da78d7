using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>
/// Max or average pooling. input (B, h·w·c); output (B, oh·ow·c). No parameters; the backward
/// pass routes each gradient to the window's first maximum (max) or spreads it over the
/// window's in-image cells (average).
/// </summary>
public sealed class Pool2DLayer : Layer
{
    private readonly Window2D _window;

    /// <summary>Creates a pooling layer over <paramref name="window"/>; <paramref name="max"/> picks max rather than average pooling.</summary>
    public Pool2DLayer(string name, Window2D window, bool max)
        : base(name, [window.InputHeight, window.InputWidth, window.Channels], OutputShapeOf(window))
    {
        _window = window;
        IsMax = max;
    }

    /// <summary>True for max pooling, false for average pooling.</summary>
    public bool IsMax { get; }

    /// <summary>The pooling's geometry.</summary>
    public Window2D Window => _window;

    /// <summary>[oh, ow, c] of a pooling over <paramref name="window"/>.</summary>
    public static IReadOnlyList<int> OutputShapeOf(Window2D window) => [window.OutputHeight, window.OutputWidth, window.Channels];

    /// <inheritdoc />
    public override void Forward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, int rows)
    {
        if (IsMax)
        {
            context.Backend.MaxPoolForward(input, output, rows, _window);
        }
        else
        {
            context.Backend.AvgPoolForward(input, output, rows, _window);
        }
    }

    /// <inheritdoc />
    public override void Backward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, BufferSpan gradOutput, BufferSpan? gradInput, int rows)
    {
        if (gradInput is not { } gi)
        {
            return;
        }

        if (IsMax)
        {
            context.Backend.MaxPoolBackward(input, gradOutput, gi, rows, _window);
        }
        else
        {
            context.Backend.AvgPoolBackward(gradOutput, gi, rows, _window);
        }
    }
}
