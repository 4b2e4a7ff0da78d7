namespace DistTrain.Kernels.Optim;

/// <summary>
/// Exponential decay (Keras ExponentialDecay): <c>lr = base·Rate^(s / DecaySteps)</c>, with the
/// exponent floored when <paramref name="Staircase"/>.
/// </summary>
/// <param name="DecaySteps">Steps over which the rate is multiplied by <paramref name="Rate"/> (&gt; 0).</param>
/// <param name="Rate">Decay rate, for example 0.96.</param>
/// <param name="Staircase">Decay in whole periods instead of continuously.</param>
public sealed record ExponentialDecaySchedule(long DecaySteps, double Rate, bool Staircase = false) : LearningRateSchedule
{
    /// <inheritdoc />
    protected override double Decay(double baseRate, long decayStep)
    {
        double p = Staircase ? decayStep / DecaySteps : (double)decayStep / DecaySteps;
        return baseRate * Math.Pow(Rate, p);
    }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (DecaySteps <= 0 || !double.IsFinite(Rate) || Rate <= 0)
        {
            throw new ArgumentException($"Exponential decay: DecaySteps and Rate must be > 0, got DecaySteps={DecaySteps}, Rate={Rate}.");
        }
    }
}
