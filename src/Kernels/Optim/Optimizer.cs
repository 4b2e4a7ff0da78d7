using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Optim;

/// <summary>
/// The one optimiser step used by the local loop and the parameter server, so both give the
/// same bits. A step is: <c>norm = ‖g_sum‖ / B</c> (the mean gradient's global norm); skip
/// when it is not finite (weights, state and the update count stay as they are);
/// <c>g = g_sum·(1/B)·clip/max(norm, clip)</c> (tf.clip_by_global_norm); then the rule of
/// <see cref="OptimizerSpec.Kind"/>, fused in one backend pass over the weights and the
/// state vectors (<see cref="OptimizerSpec.StateNames"/>):
/// <list type="bullet">
/// <item>SGD: <see cref="SgdStep"/> (PyTorch momentum/Nesterov).</item>
/// <item>Adam/AdamW: <see cref="AdamStep"/>, with <c>α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)</c> computed in double for update t.</item>
/// <item>RMSprop: <see cref="RmsPropStep"/>. Adagrad: <see cref="AdagradStep"/>.</item>
/// </list>
/// </summary>
public static class Optimizer
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
    /// Applies a decided step to <paramref name="weights"/> and the rule's state vectors
    /// <paramref name="state"/> (as many as <see cref="OptimizerSpec.StateNames"/>, each as
    /// long as the weights). <paramref name="update"/> is t, the 1-based number of this update
    /// among the applied (not skipped) ones: Adam's bias correction. Does nothing when
    /// <c>decision.Skip</c>, so weights and state stay bit-identical.
    /// </summary>
    public static void Apply(IComputeBackend backend, BufferSpan weights, BufferSpan gradientSum, IReadOnlyList<BufferSpan> state, OptimizerSpec spec, StepDecision decision, long update)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(state);
        int expected = spec.StateNames.Count;
        if (state.Count != expected)
        {
            throw new ArgumentException($"{spec.Kind} keeps {expected} state vectors ({string.Join(", ", spec.StateNames)}), got {state.Count}.", nameof(state));
        }

        if (weights.Length != gradientSum.Length || state.Any(s => s.Length != weights.Length))
        {
            throw new ArgumentException($"Weights ({weights.Length}), gradient ({gradientSum.Length}) and state ({string.Join(", ", state.Select(s => s.Length))}) must have the same length.");
        }

        if (decision.Skip)
        {
            return;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(update);
        float lr = decision.LearningRate;
        float scale = decision.GradientScale;
        switch (spec.Kind)
        {
            case OptimizerKind.Sgd:
                backend.MomentumSgd(weights, gradientSum, state[0], new SgdStep(lr, spec.Momentum, spec.Nesterov, spec.WeightDecay, scale));
                break;
            case OptimizerKind.Adam or OptimizerKind.AdamW:
                backend.Adam(weights, gradientSum, state[0], state[1], spec.Amsgrad ? state[2] : default, AdamStepOf(spec, lr, scale, update));
                break;
            case OptimizerKind.RmsProp:
                int next = 1;
                BufferSpan momentum = spec.Momentum > 0 ? state[next++] : default;
                BufferSpan meanGradient = spec.Centered ? state[next] : default;
                backend.RmsProp(weights, gradientSum, state[0], momentum, meanGradient, new RmsPropStep(lr, spec.Rho, OneMinus(spec.Rho), spec.Momentum, spec.Epsilon, scale, spec.WeightDecay, spec.Centered));
                break;
            case OptimizerKind.Adagrad:
                backend.Adagrad(weights, gradientSum, state[0], new AdagradStep(lr, spec.Epsilon, scale, spec.WeightDecay));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(spec), $"Unknown optimizer kind {spec.Kind}.");
        }
    }

    /// <summary>The coefficients of Adam update <paramref name="update"/> (t ≥ 1) at learning rate <paramref name="learningRate"/>.</summary>
    public static AdamStep AdamStepOf(OptimizerSpec spec, float learningRate, float gradientScale, long update)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(update);
        double t = update;
        double alpha = learningRate * Math.Sqrt(1 - Math.Pow(spec.Beta2, t)) / (1 - Math.Pow(spec.Beta1, t));
        bool decoupled = spec.Kind == OptimizerKind.AdamW;
        return new AdamStep(
            (float)alpha,
            OneMinus(spec.Beta1),
            OneMinus(spec.Beta2),
            spec.Epsilon,
            gradientScale,
            decoupled ? 0f : spec.WeightDecay,
            decoupled ? learningRate * spec.WeightDecay : 0f,
            spec.Amsgrad);
    }

    /// <summary>1 − x in double, rounded once to float (0.999f's complement without float cancellation error).</summary>
    private static float OneMinus(float x) => (float)(1.0 - x);
}
