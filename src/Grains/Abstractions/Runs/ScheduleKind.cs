namespace DistTrain.Grains;

/// <summary>The learning-rate decay of a <see cref="ScheduleSettings"/>.</summary>
[GenerateSerializer, Alias("DistTrain.ScheduleKind")]
public enum ScheduleKind
{
    /// <summary>The base rate throughout (after any warm-up).</summary>
    Constant,

    /// <summary><c>lr·Factor^floor(s / DecaySteps)</c>.</summary>
    Step,

    /// <summary><c>lr·Factor^(s / DecaySteps)</c> (floored when staircase).</summary>
    Exponential,

    /// <summary><c>lr·((1 − α)·½(1 + cos(π·min(s, D)/D)) + α)</c>, α = Factor.</summary>
    Cosine,
}
