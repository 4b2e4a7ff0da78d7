using ILGPU;
using ILGPU.Runtime;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>Kernel-regulariser reductions and gradient.</summary>
public sealed partial class IlGpuBackend
{
    private Action<Index1D, ArrayView<float>, ArrayView<float>, float, float>? _regularizerGradient;

    /// <inheritdoc />
    /// <remarks>Downloads the values and sums them on the host in index order: used once per step for the reported loss only.</remarks>
    public double SumOfAbsolutes(BufferSpan x)
    {
        View(x, nameof(x));
        var values = x.ToArray();
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += Math.Abs(v);
        }

        return sum;
    }

    /// <inheritdoc />
    public void AddRegularizerGradient(BufferSpan weights, BufferSpan gradient, float l1, float l2)
    {
        var w = View(weights, nameof(weights));
        var g = View(gradient, nameof(gradient));
        RequireSameLength(weights, nameof(weights), gradient, nameof(gradient));
        if (weights.Length > 0)
        {
            _regularizerGradient ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, float>(RegularizerGradientKernel);
            _regularizerGradient(weights.Length, w, g, l1, 2f * l2);
        }
    }

    /// <summary>gradient[i] += l1·sign(w[i]) + twoL2·w[i], sign(0) = 0.</summary>
    private static void RegularizerGradientKernel(Index1D i, ArrayView<float> weights, ArrayView<float> gradient, float l1, float twoL2)
    {
        var w = weights[i];
        var sign = w > 0f ? 1f : w < 0f ? -1f : 0f;
        gradient[i] += (l1 * sign) + (twoL2 * w);
    }
}
