namespace DistTrain.Kernels.Optim;

/// <summary>A constant learning rate (after the optional warm-up).</summary>
public sealed record ConstantSchedule : LearningRateSchedule
{
    /// <inheritdoc />
    protected override double Decay(double baseRate, long decayStep) => baseRate;
}
