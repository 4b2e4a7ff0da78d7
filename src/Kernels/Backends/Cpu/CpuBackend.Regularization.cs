using System.Runtime.Intrinsics;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>Kernel-regulariser reductions and gradient.</summary>
public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public double SumOfAbsolutes(BufferSpan x)
    {
        var values = View(x, nameof(x));

        // Widened to double, two vector accumulators, then the tail: a fixed order for a given length.
        var acc0 = Vector256<double>.Zero;
        var acc1 = Vector256<double>.Zero;
        var i = 0;
        for (; i <= values.Length - 8; i += 8)
        {
            var (lo, hi) = Vector256.Widen(Vector256.Abs(Vector256.Create(values.Slice(i, 8))));
            acc0 += lo;
            acc1 += hi;
        }

        var sum = Vector256.Sum(acc0 + acc1);
        for (; i < values.Length; i++)
        {
            sum += Math.Abs(values[i]);
        }

        return sum;
    }

    /// <inheritdoc />
    public void AddRegularizerGradient(BufferSpan weights, BufferSpan gradient, float l1, float l2)
    {
        SameLength(weights, gradient, nameof(gradient));
        var w = View(weights, nameof(weights));
        var g = View(gradient, nameof(gradient));
        var twoL2 = 2f * l2;
        for (var i = 0; i < w.Length; i++)
        {
            var sign = w[i] > 0f ? 1f : w[i] < 0f ? -1f : 0f;
            g[i] += (l1 * sign) + (twoL2 * w[i]);
        }
    }
}
