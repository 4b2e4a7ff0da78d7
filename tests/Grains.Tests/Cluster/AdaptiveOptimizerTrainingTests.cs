namespace DistTrain.Grains.Tests.Cluster;

/// <summary>
/// Adam, AdamW, RMSprop and Adagrad at the parameter server over two silos: their state
/// vectors live in the slices, so any worker count, slice count and a stop/resume through a
/// checkpoint give the local loop's bits.
/// </summary>
[Collection(TwoSiloCollection.Name)]
public sealed class AdaptiveOptimizerTrainingTests(TwoSiloFixture fixture)
{
    /// <summary>Adam with clipping, L2 decay and a warmed-up cosine schedule.</summary>
    private static OptimizerSettings Adam() =>
        TestRuns.Optimizer() with { Algorithm = OptimizerAlgorithm.Adam, LearningRate = 0.003f, Momentum = 0, Nesterov = false };

    [Fact]
    public async Task AdamWithOneTwoAndFourWorkersGivesTheLocalLoopsBits()
    {
        RunSpec Spec(int workers) => TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 20, workers, optimizer: Adam());

        var runs = await Task.WhenAll(new[] { 1, 2, 4 }.Select(w => TestRuns.RunToCompletion(fixture.Grains, Spec(w), $"adam-workers{w}")));
        float[] local = TestRuns.LocalWeights(Spec(1), 20);

        Assert.Equal([1, 2, 4], runs.Select(r => r.Status.Workers));
        Assert.All(runs, r => TestRuns.AssertSameBits(local, r.Weights, $"Adam, {r.Status.Workers} workers"));
    }

    [Theory]
    [InlineData(OptimizerAlgorithm.Adam, 1)]
    [InlineData(OptimizerAlgorithm.AdamW, 3)]
    [InlineData(OptimizerAlgorithm.RmsProp, 2)]
    [InlineData(OptimizerAlgorithm.Adagrad, 2)]
    public async Task EveryRuleOverTwoServerSlicesGivesTheLocalLoopsBits(OptimizerAlgorithm algorithm, int workers)
    {
        // Every state vector in play: AMSGrad's maximum, RMSprop's momentum and mean gradient.
        var optimizer = algorithm switch
        {
            OptimizerAlgorithm.Adam => Adam() with { Amsgrad = true },
            OptimizerAlgorithm.AdamW => Adam() with { Algorithm = OptimizerAlgorithm.AdamW, Amsgrad = true, WeightDecay = 0.004f },
            OptimizerAlgorithm.RmsProp => Adam() with { Algorithm = OptimizerAlgorithm.RmsProp, Momentum = 0.5f, Centered = true, WeightDecay = 0 },
            _ => Adam() with { Algorithm = OptimizerAlgorithm.Adagrad, LearningRate = 0.05f },
        };
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 10, workers, slices: 2, optimizer: optimizer with { ClipNorm = null });

        var (status, weights) = await TestRuns.RunToCompletion(fixture.Grains, spec, $"{algorithm}-slices");

        Assert.Equal(workers, status.Workers);
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 10), weights, $"{algorithm}, {workers} workers, 2 slices");
    }

    [Fact]
    public async Task AnAdamRunStoppedAndResumedFromItsCheckpointFinishesWithTheUninterruptedBits()
    {
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 24, workers: 2, slices: 2, checkpointInterval: 4, optimizer: Adam() with { ClipNorm = null, Amsgrad = true });
        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"adam-resume-{Guid.NewGuid():N}");

        await run.Start(spec);
        await run.Stop(atStep: 10);
        var stopped = await TestRuns.WaitUntilSettled(run);
        await run.Resume();
        var finished = await TestRuns.WaitUntilSettled(run);
        float[]? resumed = await run.GetWeights();

        Assert.Equal((RunState.Stopped, 10L), (stopped.State, stopped.Step));
        Assert.Equal((RunState.Completed, 24L), (finished.State, finished.Step));
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 24), resumed!, "Adam run stopped at step 10 and resumed");
    }

    [Fact]
    public async Task ACheckpointOfAnotherOptimiserIsRejectedWithAClearMessage()
    {
        var first = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 4, workers: 1, optimizer: Adam());
        var (status, _) = await TestRuns.RunToCompletion(fixture.Grains, first, "adam-first");

        var sgd = first with { MaxSteps = 8, ResumeFrom = status.LastCheckpoint, Optimizer = TestRuns.Optimizer() };
        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"sgd-from-adam-{Guid.NewGuid():N}");
        string message;
        try
        {
            await run.Start(sgd);
            var settled = await TestRuns.WaitUntilSettled(run);
            message = settled.Error ?? $"ended {settled.State}";
        }
        catch (Exception e)
        {
            message = e.Message;
        }

        Assert.Contains("[momentum, velocity] but Sgd keeps [velocity]", message);
    }
}
