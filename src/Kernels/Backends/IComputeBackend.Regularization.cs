namespace DistTrain.Kernels.Backends;

/// <summary>The two reductions and the update that Keras-style kernel regularisers (L1, L2) need.</summary>
public partial interface IComputeBackend
{
    /// <summary>Σ |x|, accumulated in double in a fixed order (the L1 penalty's norm).</summary>
    double SumOfAbsolutes(BufferSpan x);

    /// <summary>
    /// <c>gradient += l1·sign(weights) + 2·l2·weights</c> element-wise, with sign(0) = 0: the
    /// gradient of the penalty <c>l1·Σ|w| + l2·Σw²</c>. weights and gradient have equal lengths.
    /// </summary>
    void AddRegularizerGradient(BufferSpan weights, BufferSpan gradient, float l1, float l2);
}
