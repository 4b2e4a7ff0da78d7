using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>
/// The kernel regularisers of a model, by their place in the flat parameter vector: the
/// penalty for the loss and its gradient for each micro-shard's sum (see the convention on
/// <see cref="Regularizer"/>).
/// </summary>
public sealed class ParameterRegularization
{
    private readonly (int Offset, int Length, Regularizer Regularizer)[] _terms;

    private ParameterRegularization((int, int, Regularizer)[] terms) => _terms = terms;

    /// <summary>True when no parameter carries a regulariser (every call is then free).</summary>
    public bool IsEmpty => _terms.Length == 0;

    /// <summary>The regularised tensors of <paramref name="layers"/>, whose parameters are stored one after the other in that order.</summary>
    public static ParameterRegularization For(IEnumerable<Layer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var terms = new List<(int, int, Regularizer)>();
        int offset = 0;
        foreach (Layer layer in layers)
        {
            foreach (LayerParameter p in layer.Parameters)
            {
                if (p.Regularizer is { } r && (r.L1 != 0f || r.L2 != 0f))
                {
                    terms.Add((offset, p.Length, r));
                }

                offset += p.Length;
            }
        }

        return new ParameterRegularization([.. terms]);
    }

    /// <summary>The penalty Σ over regularised tensors of <c>L1·Σ|w| + L2·Σw²</c> for the flat <paramref name="weights"/>.</summary>
    public double Penalty(IComputeBackend backend, BufferSpan weights)
    {
        double penalty = 0;
        foreach (var (offset, length, r) in _terms)
        {
            BufferSpan w = weights.Slice(offset, length);
            if (r.L1 != 0f)
            {
                penalty += r.L1 * backend.SumOfAbsolutes(w);
            }

            if (r.L2 != 0f)
            {
                penalty += r.L2 * backend.SumOfSquares(w);
            }
        }

        return penalty;
    }

    /// <summary>
    /// Adds <c>samples·(L1·sign(w) + 2·L2·w)</c> to each regularised tensor of the flat gradient
    /// sum <paramref name="gradient"/> of a micro-shard of <paramref name="samples"/> samples.
    /// </summary>
    public void AddGradient(IComputeBackend backend, BufferSpan weights, BufferSpan gradient, int samples)
    {
        foreach (var (offset, length, r) in _terms)
        {
            backend.AddRegularizerGradient(weights.Slice(offset, length), gradient.Slice(offset, length), samples * r.L1, samples * r.L2);
        }
    }
}
