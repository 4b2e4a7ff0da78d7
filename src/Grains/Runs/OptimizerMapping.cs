using DistTrain.Kernels.Optim;

namespace DistTrain.Grains.Runs;

/// <summary>Turns the wire form of the optimiser settings into the engine's <see cref="OptimizerSpec"/> and back.</summary>
public static class OptimizerMapping
{
    /// <summary>The engine's spec for <paramref name="settings"/>, validated.</summary>
    public static OptimizerSpec ToSpec(this OptimizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var spec = new OptimizerSpec(settings.LearningRate, settings.Momentum, settings.Nesterov, settings.WeightDecay, settings.ClipNorm, ToSchedule(settings.Schedule))
        {
            Kind = settings.Algorithm switch
            {
                OptimizerAlgorithm.Sgd => OptimizerKind.Sgd,
                OptimizerAlgorithm.Adam => OptimizerKind.Adam,
                OptimizerAlgorithm.AdamW => OptimizerKind.AdamW,
                OptimizerAlgorithm.RmsProp => OptimizerKind.RmsProp,
                OptimizerAlgorithm.Adagrad => OptimizerKind.Adagrad,
                _ => throw new ArgumentException($"Unknown optimizer algorithm {settings.Algorithm}.", nameof(settings)),
            },
            Beta1 = settings.Beta1,
            Beta2 = settings.Beta2,
            Epsilon = settings.Epsilon,
            Amsgrad = settings.Amsgrad,
            Rho = settings.Rho,
            Centered = settings.Centered,
            InitialAccumulatorValue = settings.InitialAccumulatorValue,
        };
        spec.Validate();
        return spec;
    }

    /// <summary>
    /// The wire form of <paramref name="spec"/> (validated), for a <see cref="RunSpec"/>:
    /// <c>spec.ToSettings().ToSpec() == spec</c> for every rule and schedule.
    /// </summary>
    public static OptimizerSettings ToSettings(this OptimizerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return new OptimizerSettings(
            spec.LearningRate,
            spec.Momentum,
            spec.Nesterov,
            spec.WeightDecay,
            spec.ClipNorm,
            ToScheduleSettings(spec.Schedule),
            spec.Kind switch
            {
                OptimizerKind.Sgd => OptimizerAlgorithm.Sgd,
                OptimizerKind.Adam => OptimizerAlgorithm.Adam,
                OptimizerKind.AdamW => OptimizerAlgorithm.AdamW,
                OptimizerKind.RmsProp => OptimizerAlgorithm.RmsProp,
                OptimizerKind.Adagrad => OptimizerAlgorithm.Adagrad,
                _ => throw new ArgumentException($"Unknown optimizer kind {spec.Kind}.", nameof(spec)),
            },
            spec.Beta1,
            spec.Beta2,
            spec.Epsilon,
            spec.Amsgrad,
            spec.Rho,
            spec.Centered,
            spec.InitialAccumulatorValue);
    }

    private static ScheduleSettings? ToScheduleSettings(LearningRateSchedule? schedule) => schedule switch
    {
        null => null,
        ConstantSchedule c => new ScheduleSettings(ScheduleKind.Constant, WarmupSteps: c.WarmupSteps),
        StepDecaySchedule d => new ScheduleSettings(ScheduleKind.Step, d.StepSize, d.Factor, WarmupSteps: d.WarmupSteps),
        ExponentialDecaySchedule e => new ScheduleSettings(ScheduleKind.Exponential, e.DecaySteps, e.Rate, e.Staircase, e.WarmupSteps),
        CosineDecaySchedule c => new ScheduleSettings(ScheduleKind.Cosine, c.DecaySteps, c.Alpha, WarmupSteps: c.WarmupSteps),
        _ => throw new ArgumentException($"Schedule {schedule.GetType().Name} has no wire form.", nameof(schedule)),
    };

    private static LearningRateSchedule? ToSchedule(ScheduleSettings? schedule) => schedule switch
    {
        null => null,
        { Kind: ScheduleKind.Constant, WarmupSteps: 0 } => null,
        { Kind: ScheduleKind.Constant } => new ConstantSchedule { WarmupSteps = schedule.WarmupSteps },
        { Kind: ScheduleKind.Step } => new StepDecaySchedule(schedule.DecaySteps, schedule.Factor) { WarmupSteps = schedule.WarmupSteps },
        { Kind: ScheduleKind.Exponential } => new ExponentialDecaySchedule(schedule.DecaySteps, schedule.Factor, schedule.Staircase) { WarmupSteps = schedule.WarmupSteps },
        { Kind: ScheduleKind.Cosine } => new CosineDecaySchedule(schedule.DecaySteps, schedule.Factor) { WarmupSteps = schedule.WarmupSteps },
        _ => throw new ArgumentException($"Unknown learning-rate schedule kind {schedule.Kind}.", nameof(schedule)),
    };
}
