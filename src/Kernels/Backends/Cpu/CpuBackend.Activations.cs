using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>Activation forward and backward passes. Shapes: input, output, gradients (rows, cols).</summary>
public sealed partial class CpuBackend
{
    /// <summary>
    /// Below this length TensorPrimitives falls back to scalar code whose transcendental
    /// functions may round differently from its vector code; shorter spans are padded so that
    /// a value gets the same bits however many rows it is computed with.
    /// </summary>
    private const int PadLength = 16;

    private delegate void UnaryOp(ReadOnlySpan<float> x, Span<float> destination);

    /// <inheritdoc />
    /// <remarks>Runs in fixed blocks of rows (<see cref="ForEachRowBlock"/>), in parallel when the backend has several threads.</remarks>
    public void ActivationForward(ActivationKind kind, BufferSpan input, BufferSpan output, int rows, int cols)
    {
        var count = Shape(rows, cols);
        View(input, count, nameof(input));
        View(output, count, nameof(output));
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation.");
        }

        ForEachRowBlock(rows, cols, (first, blockRows) => ActivationForwardRows(kind, View(input.Slice(first * cols, blockRows * cols), nameof(input)), View(output.Slice(first * cols, blockRows * cols), nameof(output)), blockRows, cols));
    }

    /// <inheritdoc />
    /// <remarks>Runs in fixed blocks of rows (<see cref="ForEachRowBlock"/>), in parallel when the backend has several threads.</remarks>
    public void ActivationBackward(ActivationKind kind, BufferSpan output, BufferSpan gradOutput, BufferSpan gradInput, int rows, int cols)
    {
        var count = Shape(rows, cols);
        View(output, count, nameof(output));
        View(gradOutput, count, nameof(gradOutput));
        View(gradInput, count, nameof(gradInput));
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation.");
        }

        ForEachRowBlock(rows, cols, (first, blockRows) =>
        {
            int start = first * cols, length = blockRows * cols;
            ActivationBackwardRows(kind, View(output.Slice(start, length), nameof(output)), View(gradOutput.Slice(start, length), nameof(gradOutput)), View(gradInput.Slice(start, length), nameof(gradInput)), blockRows, cols);
        });
    }

    /// <summary>The forward pass of <paramref name="rows"/> rows on one thread.</summary>
    private static void ActivationForwardRows(ActivationKind kind, Span<float> x, Span<float> y, int rows, int cols)
    {
        switch (kind)
        {
            case ActivationKind.Linear:
                x.CopyTo(y);
                break;
            case ActivationKind.Relu:
                TensorPrimitives.Max(x, 0f, y);
                break;
            case ActivationKind.Sigmoid:
                ApplyPadded(TensorPrimitives.Sigmoid, x, y);
                break;
            case ActivationKind.Tanh:
                ApplyPadded(TensorPrimitives.Tanh, x, y);
                break;
            case ActivationKind.Softmax:
                for (var r = 0; r < rows; r++)
                {
                    SoftmaxRow(x.Slice(r * cols, cols), y.Slice(r * cols, cols));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation.");
        }
    }

    /// <summary>The backward pass of <paramref name="rows"/> rows on one thread.</summary>
    private static void ActivationBackwardRows(ActivationKind kind, Span<float> y, Span<float> g, Span<float> dx, int rows, int cols)
    {
        switch (kind)
        {
            case ActivationKind.Linear:
                g.CopyTo(dx);
                break;
            case ActivationKind.Relu:
                ReluBackward(y, g, dx);
                break;
            case ActivationKind.Sigmoid:
                // σ' = y(1 − y)
                ElementwiseBackward(y, g, dx, static (yv, gv) => gv * yv * (Vector256<float>.One - yv), static (ys, gs) => gs * ys * (1f - ys));
                break;
            case ActivationKind.Tanh:
                // tanh' = 1 − y²
                ElementwiseBackward(y, g, dx, static (yv, gv) => gv * (Vector256<float>.One - (yv * yv)), static (ys, gs) => gs * (1f - (ys * ys)));
                break;
            case ActivationKind.Softmax:
                // dx_j = y_j (g_j − Σ_i y_i g_i), the Jacobian-vector product of one row.
                for (var r = 0; r < rows; r++)
                {
                    var yr = y.Slice(r * cols, cols);
                    var dxr = dx.Slice(r * cols, cols);
                    var dot = TensorPrimitives.Dot(yr, g.Slice(r * cols, cols));
                    TensorPrimitives.Subtract(g.Slice(r * cols, cols), dot, dxr);
                    TensorPrimitives.Multiply(yr, dxr, dxr);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation.");
        }
    }

    /// <summary>Numerically stable softmax of one row: e^(x − max) / Σ e^(x − max).</summary>
    private static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length == 0)
        {
            return;
        }

        var max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        ApplyPadded(TensorPrimitives.Exp, y, y);
        var sum = TensorPrimitives.Sum(y);
        TensorPrimitives.Divide(y, sum, y);
    }

    /// <summary>Applies a TensorPrimitives function, padding short spans so every element takes the vector path.</summary>
    private static void ApplyPadded(UnaryOp op, ReadOnlySpan<float> x, Span<float> destination)
    {
        if (x.Length >= PadLength)
        {
            op(x, destination);
            return;
        }

        Span<float> scratch = stackalloc float[PadLength];
        scratch.Clear();
        x.CopyTo(scratch);
        op(scratch, scratch);
        scratch[..x.Length].CopyTo(destination);
    }

    /// <summary>dx = g where y &gt; 0, else 0.</summary>
    private static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        var i = 0;
        for (; i <= y.Length - 8; i += 8)
        {
            var mask = Vector256.GreaterThan(Vector256.Create(y.Slice(i, 8)), Vector256<float>.Zero);
            Vector256.ConditionalSelect(mask, Vector256.Create(g.Slice(i, 8)), Vector256<float>.Zero).CopyTo(dx.Slice(i, 8));
        }

        for (; i < y.Length; i++)
        {
            dx[i] = y[i] > 0f ? g[i] : 0f;
        }
    }

    /// <summary>
    /// dx = f(y, g) element-wise with a vector body and a scalar tail that perform the same
    /// operations in the same order (no FMA contraction), so results do not depend on position.
    /// </summary>
    private static void ElementwiseBackward(
        ReadOnlySpan<float> y,
        ReadOnlySpan<float> g,
        Span<float> dx,
        Func<Vector256<float>, Vector256<float>, Vector256<float>> vector,
        Func<float, float, float> scalar)
    {
        var i = 0;
        for (; i <= y.Length - 8; i += 8)
        {
            vector(Vector256.Create(y.Slice(i, 8)), Vector256.Create(g.Slice(i, 8))).CopyTo(dx.Slice(i, 8));
        }

        for (; i < y.Length; i++)
        {
            dx[i] = scalar(y[i], g[i]);
        }
    }
}
