using DistTrain.Grains.Data;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Models;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>Whole runs on one silo, compared with the local loop.</summary>
[Collection(OneSiloCollection.Name)]
public sealed class DistributedTrainingTests(OneSiloFixture fixture)
{
    [Fact]
    public async Task ARunOnOneSiloTrainsTheMlpToTheLocalLoopsAccuracy()
    {
        // The 784-512-256-10 MLP on a synthetic 10-class problem: two workers, one silo.
        var data = TestRuns.Data(features: 784, samples: 512, noise: 2f);
        var spec = TestRuns.Spec(ModelPresets.MnistMlp(), data, steps: 12, workers: 0, batch: 32, optimizer: new OptimizerSettings(0.05f, Momentum: 0.9f));

        var (status, weights) = await TestRuns.RunToCompletion(fixture.Grains, spec, "mlp");
        float[] local = TestRuns.LocalWeights(spec, 12);

        Assert.Equal(12, status.Step);
        Assert.Equal(2, status.Workers);
        TestRuns.AssertSameBits(local, weights, "Orleans run against the local loop");
        var samples = SyntheticDataSets.Classification(data.Synthetic!);
        using var replica = new ModelReplica(ModelPresets.MnistMlp(), new CpuBackend(1));
        replica.SetWeights(weights);
        double distributed = replica.Evaluate(samples, 256).Accuracy;
        replica.SetWeights(local);
        Assert.Equal(replica.Evaluate(samples, 256).Accuracy, distributed);
        Assert.True(distributed > 0.9, $"accuracy {distributed}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task OneWorkerBesideItsSlicesSharesTheirMemoryAndMatchesTheLocalLoop(int slices)
    {
        // One silo, one worker: with one slice it computes on the slice's own weights (borrowed)
        // and lends it each step's sum; with two it copies both slices' weights and lends each
        // its part. Either way the same bits as the local loop, through L2, dropout, clipping,
        // Nesterov, weight decay and a schedule.
        var model = new ModelSpec(
            [32],
            [new DenseSpec(48, ActivationKind.Relu, KernelRegularizer: new Regularizer(L2: 0.01f)), new DropoutSpec(0.2f), new DenseSpec(10)],
            LossKind.SoftmaxCrossEntropy);
        var spec = TestRuns.Spec(model, TestRuns.Data(32), steps: 15, workers: 1, slices: slices, optimizer: TestRuns.Optimizer());

        var (status, weights) = await TestRuns.RunToCompletion(fixture.Grains, spec, $"beside-{slices}");

        Assert.Equal(1, status.Workers);
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 15), weights, $"one worker beside {slices} slice(s)");
    }

    [Fact]
    public async Task StatusAndReportsFollowTheRun()
    {
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 12, workers: 1);

        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"reports-{Guid.NewGuid():N}");
        await run.Start(spec);
        var status = await TestRuns.WaitUntilSettled(run);
        var reports = await run.GetReports(afterStep: 4);

        Assert.Equal(RunState.Completed, status.State);
        Assert.Equal(12, status.TotalSteps);
        Assert.Equal(Enumerable.Range(5, 7).Select(i => (long)i), reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.True(r.BytesPushed > 0 && double.IsFinite(r.Loss)));
        Assert.NotNull(status.LastCheckpoint);
        Assert.True(File.Exists(status.LastCheckpoint));
        Assert.Contains(run.GetPrimaryKeyString(), await fixture.Grains.GetGrain<IRunRegistryGrain>(0).List());
    }

    [Fact]
    public async Task StartingARunIdAgainPicksUpItsOwnCheckpoint()
    {
        // What a user does when a run's state was lost (in-memory storage on a dead silo): start
        // the same run id again; the coordinator finds the run's checkpoint directory and goes on.
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 10, workers: 2);
        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"again-{Guid.NewGuid():N}");
        await run.Start(spec);
        Assert.Equal(RunState.Completed, (await TestRuns.WaitUntilSettled(run)).State);

        var restarted = await run.Start(spec with { MaxSteps = 20 });
        var finished = await TestRuns.WaitUntilSettled(run);

        Assert.Equal(10, restarted.Step);
        Assert.Equal((RunState.Completed, 20L), (finished.State, finished.Step));
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec with { MaxSteps = 20 }, 20), (await run.GetWeights())!, "run started again from its checkpoint");
    }

    [Fact]
    public async Task ASpecThatDoesNotFitTheDataIsRejectedWithAClearMessage()
    {
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(16), steps: 5, workers: 1);

        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"bad-{Guid.NewGuid():N}");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => run.Start(spec));

        Assert.Contains("16 inputs per sample but the model takes 32", e.Message);
    }
}
