using System.Text.Json;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;

namespace DistTrain.Kernels.Tests.Optim;

public sealed class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(99, 0.1)]
    [InlineData(100, 0.05)]
    [InlineData(250, 0.025)]
    public void StepDecayHalvesEveryStepSize(long step, double expected)
    {
        Assert.Equal(expected, new StepDecaySchedule(100, 0.5).At(0.1, step), 12);
    }

    [Fact]
    public void ExponentialDecayIsContinuousOrStaircase()
    {
        var smooth = new ExponentialDecaySchedule(1000, 0.96);
        var stairs = new ExponentialDecaySchedule(1000, 0.96, Staircase: true);

        Assert.Equal(0.1 * Math.Pow(0.96, 1.5), smooth.At(0.1, 1500), 12);
        Assert.Equal(0.1 * 0.96, stairs.At(0.1, 1500), 12);
        Assert.Equal(0.1, stairs.At(0.1, 999), 12);
    }

    [Fact]
    public void CosineDecayFallsFromTheBaseRateToAlphaTimesIt()
    {
        var cosine = new CosineDecaySchedule(100, 0.1);

        Assert.Equal(1.0, cosine.At(1.0, 0), 12);
        Assert.Equal((0.9 * 0.5) + 0.1, cosine.At(1.0, 50), 12);
        Assert.Equal((0.9 * 0.5 * (1 + Math.Cos(Math.PI * 0.25))) + 0.1, cosine.At(1.0, 25), 12);
        Assert.Equal(0.1, cosine.At(1.0, 100), 12);
        Assert.Equal(0.1, cosine.At(1.0, 1000), 12);
    }

    [Fact]
    public void WarmupRisesLinearlyThenTheDecayStartsFromTheBaseRate()
    {
        var schedule = new CosineDecaySchedule(100) { WarmupSteps = 10 };

        Assert.Equal(0.01, schedule.At(0.1, 0), 12);
        Assert.Equal(0.05, schedule.At(0.1, 4), 12);
        Assert.Equal(0.1, schedule.At(0.1, 9), 12);
        Assert.Equal(0.1, schedule.At(0.1, 10), 12);
        Assert.Equal(0.05, schedule.At(0.1, 60), 12);
        Assert.Equal(0.02, new ConstantSchedule { WarmupSteps = 5 }.At(0.1, 0), 12);
        Assert.Equal(0.1, new ConstantSchedule { WarmupSteps = 5 }.At(0.1, 500), 12);
    }

    [Fact]
    public void OptimizerSpecRoundTripsThroughJsonWithItsSchedule()
    {
        var spec = new OptimizerSpec(0.1f, 0.9f, true, 1e-4f, 5f, new ExponentialDecaySchedule(1000, 0.5, true) { WarmupSteps = 20 });

        string json = JsonSerializer.Serialize(spec, SpecJson.Options);
        OptimizerSpec back = SpecJson.Read<OptimizerSpec>(json, "optimizer");

        Assert.Equal(spec, back);
        Assert.Contains("\"type\": \"exponential\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0f, 0f, false, 0f, null, "LearningRate")]
    [InlineData(0.1f, 1f, false, 0f, null, "Momentum")]
    [InlineData(0.1f, 0f, true, 0f, null, "Nesterov")]
    [InlineData(0.1f, 0.9f, false, -1f, null, "WeightDecay")]
    [InlineData(0.1f, 0.9f, false, 0f, 0f, "ClipNorm")]
    public void InvalidOptimizerSettingsAreRejectedByName(float lr, float momentum, bool nesterov, float decay, float? clip, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => new OptimizerSpec(lr, momentum, nesterov, decay, clip).Validate());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
