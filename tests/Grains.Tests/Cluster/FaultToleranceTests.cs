using Orleans.TestingHost;
using Xunit.Abstractions;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>
/// Losing a worker's silo mid-run changes nothing in the result: stopped gracefully or
/// killed (<see cref="TestCluster.KillSiloAsync"/>: no graceful shutdown of its activations),
/// the coordinator re-plans the step's micro-shards over the surviving workers.
/// </summary>
/// <remarks>
/// An in-process kill still marks the silo dead in the membership table on its way out;
/// <see cref="ProcessKillTests"/> covers a silo process that dies without a word.
/// </remarks>
[Collection(FaultCollection.Name)]
public sealed class FaultToleranceTests(FaultFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task StoppingAWorkerSiloMidRunFinishesWithTheSameWeightsAsWithoutTheFault()
    {
        var spec = FaultScenario.Spec(steps: 60);
        var outcome = await RunLosingAWorkerSilo(spec, (cluster, victim) => cluster.StopSiloAsync(victim));

        Assert.Equal(2, outcome.Final.Workers); // the last steps ran on the primary's two workers only
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 60), outcome.Weights, "run that lost a silo");
    }

    [Fact]
    public async Task KillingAWorkerSiloMidRunFinishesWithTheSameWeightsAsWithoutTheFault()
    {
        var spec = FaultScenario.Spec(steps: 60);
        var outcome = await RunLosingAWorkerSilo(spec, (cluster, victim) => cluster.KillSiloAsync(victim));

        Assert.Equal(2, outcome.Final.Workers);
        Assert.True(outcome.Recovery < TimeSpan.FromSeconds(15), $"the run took {outcome.Recovery} to step again after the kill");
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 60), outcome.Weights, "run that lost a silo to a kill");
    }

    /// <summary>Adds a silo (two more workers), then runs with the coordinator on the primary and applies <paramref name="fault"/> to the added silo after step 5.</summary>
    private async Task<FaultOutcome> RunLosingAWorkerSilo(RunSpec spec, Func<TestCluster, SiloHandle, Task> fault)
    {
        var cluster = fixture.Cluster;
        SiloHandle victim = await cluster.StartAdditionalSiloAsync();
        await cluster.WaitForLivenessToStabilizeAsync();
        var outcome = await FaultScenario.RunAsync(fixture.Grains, cluster.Primary!.SiloAddress, spec, faultAfterStep: 5, () => fault(cluster, victim), output, TimeSpan.FromSeconds(60));
        Assert.Equal(4, outcome.AtFault.Workers);
        return outcome;
    }
}
