using System.Text.Json.Serialization;

namespace DistTrain.Kernels.Optim;

/// <summary>
/// A learning-rate schedule: the rate of global step <c>s</c> (0-based) from the base rate.
/// With <see cref="WarmupSteps"/> <c>W &gt; 0</c> the rate first rises linearly,
/// <c>lr(s) = base·(s+1)/W</c> for <c>s &lt; W</c>, and the decay then runs on <c>s − W</c>
/// (as Keras' CosineDecay does with warm-up). Serialised as JSON with a <c>type</c> field.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ConstantSchedule), "constant")]
[JsonDerivedType(typeof(StepDecaySchedule), "step")]
[JsonDerivedType(typeof(ExponentialDecaySchedule), "exponential")]
[JsonDerivedType(typeof(CosineDecaySchedule), "cosine")]
public abstract record LearningRateSchedule
{
    /// <summary>Steps of linear warm-up from 0 before the decay starts; 0 for none.</summary>
    public long WarmupSteps { get; init; }

    /// <summary>The learning rate of global step <paramref name="step"/>.</summary>
    public double At(double baseRate, long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return baseRate * (step + 1) / WarmupSteps;
        }

        return Decay(baseRate, step - WarmupSteps);
    }

    /// <summary>Throws a clear exception when a setting is out of range.</summary>
    public virtual void Validate()
    {
        if (WarmupSteps < 0)
        {
            throw new ArgumentException($"Learning-rate schedule: WarmupSteps must be ≥ 0, got {WarmupSteps}.");
        }
    }

    /// <summary>The decayed rate <paramref name="decayStep"/> steps after the warm-up.</summary>
    protected abstract double Decay(double baseRate, long decayStep);
}
