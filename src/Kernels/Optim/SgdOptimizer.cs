using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Optim;

/// <summary>
/// The one SGD update used by the local loop and the parameter server, so both give the same
/// bits. A step is: <c>norm = ‖g_sum‖ / B</c> (the mean gradient's global norm);
/// skip when it is not finite; <c>g = g_sum·(1/B)·clip/max(norm, clip)</c>
/// (tf.clip_by_global_norm); then the momentum update of <see cref="SgdStep"/>.
/// </summary>
public static class SgdOptimizer
{
    /// <summary>
    /// Decides step <paramref name="step"/> from the sum of squares of the raw gradient SUM over
    /// the global batch (<see cref="IComputeBackend.SumOfSquares"/>; sharded servers add their
    /// slices' sums in slice order).
    /// </summary>
    public static StepDecision Decide(OptimizerSpec spec, long step, double globalSumOfSquares, int globalBatch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(globalBatch);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        float learningRate = (float)spec.LearningRateAt(step);
        double norm = Math.Sqrt(globalSumOfSquares) / globalBatch;
        if (!double.IsFinite(norm))
        {
            return new StepDecision(true, 0f, learningRate, norm, false);
        }

        double scale = 1.0 / globalBatch;
        bool clipped = false;
        if (spec.ClipNorm is { } clip && norm > clip)
        {
            scale *= clip / norm;
            clipped = true;
        }

        return new StepDecision(false, (float)scale, learningRate, norm, clipped);
    }

    /// <summary>
    /// Applies a decided step: <c>g' = scale·g_sum + λ·w; v = μ·v + g'; w -= lr·(Nesterov ? g' + μ·v : v)</c>.
    /// Does nothing when <c>decision.Skip</c>, so weights and velocity stay bit-identical.
    /// </summary>
    public static void Apply(IComputeBackend backend, BufferSpan weights, BufferSpan gradientSum, BufferSpan velocity, OptimizerSpec spec, StepDecision decision)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        if (weights.Length != gradientSum.Length || weights.Length != velocity.Length)
        {
            throw new ArgumentException($"Weights ({weights.Length}), gradient ({gradientSum.Length}) and velocity ({velocity.Length}) must have the same length.");
        }

        if (decision.Skip)
        {
            return;
        }

        backend.MomentumSgd(weights, gradientSum, velocity, new SgdStep(decision.LearningRate, spec.Momentum, spec.Nesterov, spec.WeightDecay, decision.GradientScale));
    }
}
