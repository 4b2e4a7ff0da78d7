using DistTrain.Grains.Data;
using DistTrain.Grains.Runs;
using DistTrain.Kernels.Optim;

namespace DistTrain.Grains.Tests.Planning;

public sealed class RunSettingsTests
{
    [Fact]
    public void EveryScheduleKindMapsToTheEnginesScheduleWithItsWarmUp()
    {
        var step = new OptimizerSettings(0.1f, Schedule: new ScheduleSettings(ScheduleKind.Step, DecaySteps: 10, Factor: 0.5, WarmupSteps: 2)).ToSpec();
        var exponential = new OptimizerSettings(0.1f, Schedule: new ScheduleSettings(ScheduleKind.Exponential, DecaySteps: 10, Factor: 0.9, Staircase: true)).ToSpec();
        var cosine = new OptimizerSettings(0.1f, Schedule: new ScheduleSettings(ScheduleKind.Cosine, DecaySteps: 100, Factor: 0.1, WarmupSteps: 3)).ToSpec();
        var constant = new OptimizerSettings(0.1f, Schedule: new ScheduleSettings(ScheduleKind.Constant, WarmupSteps: 4)).ToSpec();

        Assert.Equal(new StepDecaySchedule(10, 0.5) { WarmupSteps = 2 }, step.Schedule);
        Assert.Equal(new ExponentialDecaySchedule(10, 0.9, true), exponential.Schedule);
        Assert.Equal(new CosineDecaySchedule(100, 0.1) { WarmupSteps = 3 }, cosine.Schedule);
        Assert.Equal(new ConstantSchedule { WarmupSteps = 4 }, constant.Schedule);
        Assert.Null(new OptimizerSettings(0.1f).ToSpec().Schedule);
    }

    [Fact]
    public void OptimizerSettingsOutOfRangeAreRejectedWithTheEnginesMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => new OptimizerSettings(0.1f, Momentum: 1.5f).ToSpec());
        Assert.Contains("Momentum", e.Message);
    }

    [Fact]
    public void EveryOptimiserRoundTripsBetweenTheEngineAndTheWire()
    {
        OptimizerSpec[] specs =
        [
            OptimizerSpec.Sgd(0.05f, 0.9f, nesterov: true) with { WeightDecay = 1e-4f, ClipNorm = 5f, Schedule = new CosineDecaySchedule(100, 0.1) { WarmupSteps = 3 } },
            OptimizerSpec.Adam(0.002f, 0.8f, 0.99f, 1e-6f, amsgrad: true) with { Schedule = new StepDecaySchedule(10, 0.5) },
            OptimizerSpec.AdamW(weightDecay: 0.01f) with { Schedule = new ExponentialDecaySchedule(10, 0.9, Staircase: true) },
            OptimizerSpec.RmsProp(0.01f, 0.8f, 0.5f, 1e-5f, centered: true) with { Schedule = new ConstantSchedule { WarmupSteps = 4 } },
            OptimizerSpec.Adagrad(0.1f, 0.2f, 1e-6f),
        ];

        Assert.All(specs, spec => Assert.Equal(spec, spec.ToSettings().ToSpec()));
        Assert.Equal(OptimizerAlgorithm.RmsProp, specs[3].ToSettings().Algorithm);
        Assert.Contains("Amsgrad", Assert.Throws<ArgumentException>(() => new OptimizerSettings(0.1f, Amsgrad: true).ToSpec()).Message);
    }

    [Fact]
    public void SyntheticDataIsAPureFunctionOfItsOptions()
    {
        var options = new SyntheticDataOptions(50, 6, 3, Seed: 9, Noise: 0.5f);

        var a = SyntheticDataSets.Classification(options);
        var b = SyntheticDataSets.Classification(options);
        var c = SyntheticDataSets.Classification(options with { Seed = 10 });

        Assert.Equal(a.Inputs.ToArray(), b.Inputs.ToArray());
        Assert.Equal(a.Targets.ToArray(), b.Targets.ToArray());
        Assert.NotEqual(a.Inputs.ToArray(), c.Inputs.ToArray());
        Assert.Equal(50, a.Count);
        Assert.All(Enumerable.Range(0, 50), s => Assert.Equal(1f, a.Targets.Slice(s * 3, 3).ToArray().Sum()));
    }

    [Fact]
    public void AnUnknownDataSetNameIsRejectedListingTheKnownOnes()
    {
        var provider = new DataSetProvider();

        var e = Assert.Throws<ArgumentException>(() => provider.Get(new DataSpec("imagenet")));

        Assert.Contains("imagenet", e.Message);
        Assert.Contains("synthetic", e.Message);
    }
}
