namespace DistTrain.Grains.Tests.Cluster;

/// <summary>Runs over two silos: any worker count, and stop/resume, give the local loop's bits.</summary>
[Collection(TwoSiloCollection.Name)]
public sealed class MultiSiloTrainingTests(TwoSiloFixture fixture)
{
    [Fact]
    public async Task ThirtyStepsWithOneTwoAndFourWorkersGiveBitIdenticalWeightsEqualToTheLocalLoop()
    {
        var data = TestRuns.Data(32);
        RunSpec Spec(int workers) => TestRuns.Spec(TestRuns.SmallMlp(), data, steps: 30, workers);

        var runs = await Task.WhenAll(new[] { 1, 2, 4 }.Select(w => TestRuns.RunToCompletion(fixture.Grains, Spec(w), $"workers{w}")));
        float[] local = TestRuns.LocalWeights(Spec(1), 30);

        Assert.Equal([1, 2, 4], runs.Select(r => r.Status.Workers));
        TestRuns.AssertSameBits(local, runs[0].Weights, "1 worker");
        TestRuns.AssertSameBits(local, runs[1].Weights, "2 workers");
        TestRuns.AssertSameBits(local, runs[2].Weights, "4 workers over 2 silos");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)] // one worker hands its whole sum to a slice of its own silo in memory, and pushes it to one elsewhere
    public async Task WorkersOverTwoServerSlicesGiveTheLocalLoopsBitsWithoutClipping(int workers)
    {
        var data = TestRuns.Data(32);
        var optimizer = TestRuns.Optimizer() with { ClipNorm = null };
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), data, steps: 10, workers, slices: 2, optimizer: optimizer);

        var (status, weights) = await TestRuns.RunToCompletion(fixture.Grains, spec, $"slices-{workers}");

        Assert.Equal(workers, status.Workers);
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 10), weights, $"{workers} workers, 2 slices");
    }

    [Fact]
    public async Task StoppedAtStepTenAndResumedFromItsCheckpointARunFinishesBitIdenticalToAnUninterruptedOne()
    {
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 30, workers: 4, checkpointInterval: 4);
        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"resume-{Guid.NewGuid():N}");

        await run.Start(spec);
        await run.Stop(atStep: 10);
        var stopped = await TestRuns.WaitUntilSettled(run);
        Assert.Equal(RunState.Stopped, stopped.State);
        Assert.Equal(10, stopped.Step);
        await run.Resume();
        var finished = await TestRuns.WaitUntilSettled(run);
        float[]? resumed = await run.GetWeights();
        var (_, uninterrupted) = await TestRuns.RunToCompletion(fixture.Grains, spec, "uninterrupted");

        Assert.Equal(RunState.Completed, finished.State);
        Assert.Equal(30, finished.Step);
        TestRuns.AssertSameBits(uninterrupted, resumed!, "resumed run");
    }

    [Fact]
    public async Task ANewRunStartsFromAnotherRunsCheckpoint()
    {
        var first = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 10, workers: 2);
        var (status, _) = await TestRuns.RunToCompletion(fixture.Grains, first, "first");

        var second = first with { MaxSteps = 20, ResumeFrom = status.LastCheckpoint };
        var (resumed, weights) = await TestRuns.RunToCompletion(fixture.Grains, second, "second");

        Assert.Equal(20, resumed.Step);
        TestRuns.AssertSameBits(TestRuns.LocalWeights(first with { MaxSteps = 20 }, 20), weights, "run resumed from a checkpoint");
    }
}
