namespace DistTrain.Kernels.Optim;

/// <summary>Step decay: <c>lr = base·Factor^⌊s / StepSize⌋</c> (PyTorch StepLR, counted in steps).</summary>
/// <param name="StepSize">Steps between two decays (&gt; 0).</param>
/// <param name="Factor">Multiplier applied at each decay, for example 0.1.</param>
public sealed record StepDecaySchedule(long StepSize, double Factor) : LearningRateSchedule
{
    /// <inheritdoc />
    protected override double Decay(double baseRate, long decayStep) => baseRate * Math.Pow(Factor, decayStep / StepSize);

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (StepSize <= 0 || !double.IsFinite(Factor) || Factor < 0)
        {
            throw new ArgumentException($"Step decay: StepSize must be > 0 and Factor finite and ≥ 0, got StepSize={StepSize}, Factor={Factor}.");
        }
    }
}
