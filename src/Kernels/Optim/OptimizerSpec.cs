namespace DistTrain.Kernels.Optim;

/// <summary>
/// Settings of the SGD optimiser applied at the parameter server (and by the local loop).
/// Presets are settings: plain SGD (<c>Momentum = 0</c>), momentum, Nesterov.
/// </summary>
/// <param name="LearningRate">Base learning rate (before the schedule), &gt; 0.</param>
/// <param name="Momentum">Momentum μ in [0, 1).</param>
/// <param name="Nesterov">Nesterov momentum (needs μ &gt; 0).</param>
/// <param name="WeightDecay">L2 weight decay λ ≥ 0: adds λ·w to the (averaged, clipped) gradient.</param>
/// <param name="ClipNorm">Global-norm clipping threshold (tf.clip_by_global_norm), or null for none.</param>
/// <param name="Schedule">Learning-rate schedule, or null for a constant rate.</param>
public sealed record OptimizerSpec(
    float LearningRate,
    float Momentum = 0,
    bool Nesterov = false,
    float WeightDecay = 0,
    float? ClipNorm = null,
    LearningRateSchedule? Schedule = null)
{
    /// <summary>Throws a clear exception when a setting is out of range.</summary>
    public void Validate()
    {
        if (!float.IsFinite(LearningRate) || LearningRate <= 0)
        {
            throw new ArgumentException($"Optimizer: LearningRate must be finite and > 0, got {LearningRate}.");
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new ArgumentException($"Optimizer: Momentum must be in [0, 1), got {Momentum}.");
        }

        if (Nesterov && Momentum == 0)
        {
            throw new ArgumentException("Optimizer: Nesterov needs Momentum > 0.");
        }

        if (!float.IsFinite(WeightDecay) || WeightDecay < 0)
        {
            throw new ArgumentException($"Optimizer: WeightDecay must be finite and ≥ 0, got {WeightDecay}.");
        }

        if (ClipNorm is { } clip && !(float.IsFinite(clip) && clip > 0))
        {
            throw new ArgumentException($"Optimizer: ClipNorm must be finite and > 0, got {clip}.");
        }

        Schedule?.Validate();
    }

    /// <summary>The learning rate of global step <paramref name="step"/> after the schedule.</summary>
    public double LearningRateAt(long step) => Schedule?.At(LearningRate, step) ?? LearningRate;
}
