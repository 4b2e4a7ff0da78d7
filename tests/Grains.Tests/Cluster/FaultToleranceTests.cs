using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>Losing a worker's silo mid-run changes nothing in the result.</summary>
[Collection(FaultCollection.Name)]
public sealed class FaultToleranceTests(FaultFixture fixture)
{
    [Fact]
    public async Task StoppingAWorkerSiloMidRunFinishesWithTheSameWeightsAsWithoutTheFault()
    {
        var cluster = fixture.Cluster;
        var model = new Kernels.Models.ModelSpec([64], [new Kernels.Models.DenseSpec(256, Kernels.Backends.ActivationKind.Relu), new Kernels.Models.DenseSpec(10)], Kernels.Models.LossKind.SoftmaxCrossEntropy);
        var spec = TestRuns.Spec(model, TestRuns.Data(64, samples: 4096), steps: 60, workers: 0, batch: 256);
        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"fault-{Guid.NewGuid():N}");

        // The coordinator (and so its parameter server, placed beside it) lives on the primary
        // silo; the secondary silo hosts two of the four workers.
        RequestContext.Set(IPlacementDirector.PlacementHintKey, cluster.Primary!.SiloAddress);
        await run.Start(spec);
        RequestContext.Clear();
        Assert.Equal(cluster.Primary.SiloAddress.ToParsableString(), (await run.GetStatus()).CoordinatorSilo);
        while ((await run.GetStatus()) is { Step: < 5, State: RunState.Running })
        {
            await Task.Delay(10);
        }

        long stepAtFault = (await run.GetStatus()).Step;
        await cluster.StopSiloAsync(cluster.SecondarySilos[0]);
        var status = await TestRuns.WaitUntilSettled(run, TimeSpan.FromSeconds(120));
        float[]? weights = await run.GetWeights();

        Assert.True(status.State == RunState.Completed, $"Run ended {status.State}: {status.Error}");
        Assert.True(stepAtFault < 60, "the silo must stop while the run is in flight");
        Assert.Equal(2, status.Workers); // the last steps ran on the primary's two workers only
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 60), weights!, "run that lost a silo");
    }
}
