using DistTrain.Kernels.Backends.Cpu;

namespace DistTrain.Kernels.Tensors;

/// <summary>Clipping: by value, by norm, and by the global norm of a list (the parameter server's rule).</summary>
public partial class Tensor
{
    /// <summary>Each element limited to [min, max]; the gradient passes where min ≤ x ≤ max.</summary>
    public static Tensor ClipByValue(Tensor x, Tensor clipValueMin, Tensor clipValueMax) => Minimum(Maximum(x, clipValueMin), clipValueMax);

    /// <summary><c>x·clip/max(‖x‖₂, clip)</c>, the L2 norm over <paramref name="axes"/> (all when null).</summary>
    public static Tensor ClipByNorm(Tensor x, double clipNorm, int[]? axes = null)
    {
        var norm = Norm(x, 2, axes, keepDims: true);
        var clip = CastNoTape(Scalar(clipNorm), x.DType);
        return x * clip / Maximum(norm, clip);
    }

    /// <summary>
    /// Scales every tensor by <c>clip/max(global, clip)</c>, where <c>global = √Σ‖tᵢ‖²</c>, and returns the
    /// global norm (<c>tf.clip_by_global_norm</c>). The sums of squares are accumulated in double
    /// and the scale is computed in double then applied in float, exactly as
    /// <see cref="Optim.Optimizer.Decide"/> clips the averaged gradient.
    /// </summary>
    public static (Tensor[] Clipped, double GlobalNorm) ClipByGlobalNorm(IReadOnlyList<Tensor> tensors, double clipNorm)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        double sum = 0;
        foreach (var t in tensors)
        {
            sum += t.DType switch
            {
                DType.Float32 => CpuBackend.SumOfSquaresInDouble(t.Values<float>()),
                DType.Float64 => t.Values<double>().Sum(v => v * v),
                _ => throw new ArgumentException($"ClipByGlobalNorm takes float tensors, not {t.DType.Name()}."),
            };
        }

        double norm = Math.Sqrt(sum);
        if (!(norm > clipNorm))
        {
            return (tensors.ToArray(), norm);
        }

        double scale = clipNorm / norm;
        return (tensors.Select(t => t * CastNoTape(Scalar(scale), t.DType)).ToArray(), norm);
    }
}
