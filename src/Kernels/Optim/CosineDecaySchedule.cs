namespace DistTrain.Kernels.Optim;

/// <summary>
/// Cosine decay (Keras CosineDecay): with <c>t = min(s, DecaySteps)</c>,
/// <c>lr = base·((1 − Alpha)·½(1 + cos(π·t / DecaySteps)) + Alpha)</c>; it stays at
/// <c>base·Alpha</c> after <see cref="DecaySteps"/>.
/// </summary>
/// <param name="DecaySteps">Steps of the decay (&gt; 0).</param>
/// <param name="Alpha">Floor, as a fraction of the base rate, in [0, 1].</param>
public sealed record CosineDecaySchedule(long DecaySteps, double Alpha = 0) : LearningRateSchedule
{
    /// <inheritdoc />
    protected override double Decay(double baseRate, long decayStep)
    {
        double t = Math.Min(decayStep, DecaySteps);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * t / DecaySteps));
        return baseRate * (((1 - Alpha) * cosine) + Alpha);
    }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (DecaySteps <= 0 || !(Alpha >= 0 && Alpha <= 1))
        {
            throw new ArgumentException($"Cosine decay: DecaySteps must be > 0 and Alpha in [0, 1], got DecaySteps={DecaySteps}, Alpha={Alpha}.");
        }
    }
}
