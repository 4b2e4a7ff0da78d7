namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>Activation functions, forward and backward.</summary>
public sealed partial class IlGpuBackend
{
    /// <inheritdoc />
    public void ActivationForward(ActivationKind kind, BufferSpan input, BufferSpan output, int rows, int cols)
    {
        var iv = View(input, nameof(input));
        var ov = View(output, nameof(output));
        RequireMatrix(input, nameof(input), rows, cols);
        RequireMatrix(output, nameof(output), rows, cols);
        RequireKnown(kind);
        if (rows == 0 || cols == 0)
        {
            return;
        }

        if (kind == ActivationKind.Softmax)
        {
            _kernels.SoftmaxForward(rows, iv, ov, cols);
        }
        else
        {
            _kernels.ActivationForward(rows * cols, iv, ov, (int)kind);
        }
    }

    /// <inheritdoc />
    public void ActivationBackward(ActivationKind kind, BufferSpan output, BufferSpan gradOutput, BufferSpan gradInput, int rows, int cols)
    {
        var ov = View(output, nameof(output));
        var gov = View(gradOutput, nameof(gradOutput));
        var giv = View(gradInput, nameof(gradInput));
        RequireMatrix(output, nameof(output), rows, cols);
        RequireMatrix(gradOutput, nameof(gradOutput), rows, cols);
        RequireMatrix(gradInput, nameof(gradInput), rows, cols);
        RequireKnown(kind);
        if (rows == 0 || cols == 0)
        {
            return;
        }

        if (kind == ActivationKind.Softmax)
        {
            _kernels.SoftmaxBackward(rows, ov, gov, giv, cols);
        }
        else
        {
            _kernels.ActivationBackward(rows * cols, ov, gov, giv, (int)kind);
        }
    }

    private static void RequireKnown(ActivationKind kind)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Unknown activation {(int)kind}.");
        }
    }
}
