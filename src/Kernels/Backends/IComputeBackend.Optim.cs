namespace DistTrain.Kernels.Backends;

/// <summary>
/// The fused adaptive optimiser updates. Each is element-wise (element i reads and writes
/// only element i of every vector), uses separate multiplies and adds (no FMA) and correctly
/// rounded division and square root, so the result does not depend on blocking or threads.
/// Vectors a rule does not use may be empty spans (<c>default</c>).
/// </summary>
public partial interface IComputeBackend
{
    /// <summary>One Adam/AdamW update of <paramref name="weights"/>, <paramref name="m"/>, <paramref name="v"/> and, with AMSGrad, <paramref name="vMax"/>; see <see cref="AdamStep"/>.</summary>
    void Adam(BufferSpan weights, BufferSpan gradient, BufferSpan m, BufferSpan v, BufferSpan vMax, AdamStep step);

    /// <summary>One RMSprop update; <paramref name="momentum"/> is used when <c>step.Momentum &gt; 0</c>, <paramref name="meanGradient"/> when centred; see <see cref="RmsPropStep"/>.</summary>
    void RmsProp(BufferSpan weights, BufferSpan gradient, BufferSpan meanSquare, BufferSpan momentum, BufferSpan meanGradient, RmsPropStep step);

    /// <summary>One Adagrad update of <paramref name="weights"/> and <paramref name="accumulator"/>; see <see cref="AdagradStep"/>.</summary>
    void Adagrad(BufferSpan weights, BufferSpan gradient, BufferSpan accumulator, AdagradStep step);
}
