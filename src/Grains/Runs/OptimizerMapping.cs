using DistTrain.Kernels.Optim;

namespace DistTrain.Grains.Runs;

/// <summary>Turns the wire form of the optimiser settings into the engine's <see cref="OptimizerSpec"/>.</summary>
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
