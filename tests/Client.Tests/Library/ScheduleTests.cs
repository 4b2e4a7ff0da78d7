namespace DistTrain.Client.Tests.Library;

/// <summary>The library's schedule helpers resolve a run's cosine horizon as the console's <c>--schedule cosine</c> does.</summary>
public sealed class ScheduleTests
{
    [Theory]
    [InlineData(0L, 2500L)]
    [InlineData(100L, 2500L)]
    public void ABareCosineDecaysToZeroOverTheRunAsTheConsoleResolvesIt(long warmup, long totalSteps)
    {
        var preset = new Grains.ScheduleSettings(Grains.ScheduleKind.Cosine, WarmupSteps: warmup);
        Assert.Equal(Train.ScheduleSyntax.Parse("cosine", warmup, totalSteps), Schedules.ForRun(preset, totalSteps));
        Assert.Equal(Train.ScheduleSyntax.Parse("cosine", warmup, totalSteps), Schedules.ForRun(Schedules.Cosine(warmupSteps: warmup), totalSteps));
        Assert.Equal(Train.ScheduleSyntax.Parse("cosine:500:0.1", warmup, totalSteps), Schedules.ForRun(Schedules.Cosine(500, 0.1, warmup), totalSteps));
        var alpha = Schedules.ForRun(Schedules.Cosine(alpha: 0.25, warmupSteps: warmup), totalSteps)!;
        Assert.Equal((totalSteps - warmup, 0.25), (alpha.DecaySteps, alpha.Factor));
        Assert.Null(Schedules.ForRun(null, totalSteps));
    }
}
