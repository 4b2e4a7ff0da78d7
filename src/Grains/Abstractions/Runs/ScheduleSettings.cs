namespace DistTrain.Grains;

/// <summary>
/// A learning-rate schedule, each kind with an optional linear warm-up from 0 over
/// <paramref name="WarmupSteps"/> steps.
/// </summary>
/// <param name="Kind">Which decay.</param>
/// <param name="DecaySteps">Step: steps between decays. Exponential and cosine: the decay horizon.</param>
/// <param name="Factor">Step: multiplier per decay. Exponential: the decay rate. Cosine: the final fraction alpha.</param>
/// <param name="Staircase">Exponential only: decay in whole steps of <paramref name="DecaySteps"/>.</param>
/// <param name="WarmupSteps">Steps of linear warm-up before the decay applies.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.ScheduleSettings")]
public sealed record ScheduleSettings(
    [property: Id(0)] ScheduleKind Kind,
    [property: Id(1)] long DecaySteps = 0,
    [property: Id(2)] double Factor = 1.0,
    [property: Id(3)] bool Staircase = false,
    [property: Id(4)] long WarmupSteps = 0);
