using DistTrain.Grains;

namespace DistTrain;

/// <summary>Learning-rate schedules for <see cref="Optimizer.Schedule"/> (Keras' <c>optimizers.schedules</c>).</summary>
public static class Schedules
{
    /// <summary>
    /// Half a cosine from the learning rate down to <paramref name="alpha"/> × the rate over
    /// <paramref name="decaySteps"/> steps (0: over the whole run after the warm-up), after
    /// <paramref name="warmupSteps"/> of linear warm-up (Keras' <c>CosineDecay</c>).
    /// </summary>
    public static ScheduleSettings Cosine(long decaySteps = 0, double alpha = 0, long warmupSteps = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decaySteps);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (!(alpha is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1].");
        }

        return new ScheduleSettings(ScheduleKind.Cosine, decaySteps, alpha, WarmupSteps: warmupSteps);
    }

    /// <summary>Multiplies the rate by <paramref name="factor"/> every <paramref name="everySteps"/> steps.</summary>
    public static ScheduleSettings Step(long everySteps, double factor, long warmupSteps = 0) =>
        new(ScheduleKind.Step, everySteps, factor, WarmupSteps: warmupSteps);

    /// <summary><c>lr · rate^(step / decaySteps)</c>, in whole steps of <paramref name="decaySteps"/> when <paramref name="staircase"/> (Keras' <c>ExponentialDecay</c>).</summary>
    public static ScheduleSettings Exponential(long decaySteps, double rate, bool staircase = false, long warmupSteps = 0) =>
        new(ScheduleKind.Exponential, decaySteps, rate, staircase, warmupSteps);

    /// <summary>
    /// <paramref name="schedule"/> with a cosine's horizon filled in: a cosine with no decay steps
    /// decays over the <paramref name="totalSteps"/> of the run less the warm-up. A bare
    /// <c>new ScheduleSettings(ScheduleKind.Cosine)</c> (factor 1, the record's default, as the
    /// presets write it) decays to 0, as <c>disttrain --schedule cosine</c> does.
    /// </summary>
    public static ScheduleSettings? ForRun(ScheduleSettings? schedule, long totalSteps) => schedule switch
    {
        { Kind: ScheduleKind.Cosine, DecaySteps: 0 } cosine => cosine with
        {
            DecaySteps = Math.Max(1, totalSteps - cosine.WarmupSteps),
            Factor = cosine.Factor == 1.0 ? 0.0 : cosine.Factor,
        },
        _ => schedule,
    };
}
