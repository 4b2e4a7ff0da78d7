using System.Diagnostics;
using DistTrain.Grains.Tests.Hosting;
using Xunit.Abstractions;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>
/// A real failure: the <c>DistTrain.Silo</c> process that hosts two of the workers is killed
/// (SIGKILL) mid-run. Nothing tells the cluster; the surviving silo's probes vote it dead, the
/// coordinator re-plans the micro-shards over the surviving workers, and the run ends with the
/// bits of the local loop.
/// </summary>
[Collection(SiloProcessCollection.Name)]
public sealed class ProcessKillTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-kill-").FullName;

    [Fact]
    public async Task KillingAWorkerSiloProcessMidRunFinishesWithTheSameWeightsAsWithoutTheFault()
    {
        int primaryPort = FreePort.Next();
        await using var primary = await InProcessSilo.StartAsync(Args(primaryPort, FreePort.Next(), primaryPort));
        using var victim = SiloProcess.Start(Args(FreePort.Next(), FreePort.Next(), primaryPort));
        await primary.WaitForActiveSilosAsync(2, TimeSpan.FromSeconds(120), victim.Describe);
        var spec = FaultScenario.Spec(steps: 80);

        var outcome = await FaultScenario.RunAsync(primary.Grains, primary.Address, spec, faultAfterStep: 5, () => Task.Run(victim.Kill), output, TimeSpan.FromSeconds(60));

        Assert.Equal(4, outcome.AtFault.Workers);
        Assert.Equal(2, outcome.Final.Workers);
        Assert.True(outcome.Recovery < TimeSpan.FromSeconds(15), $"the run took {outcome.Recovery} to step again after the kill");
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 80), outcome.Weights, "run whose worker silo process was killed");
    }

    [Fact]
    public async Task AWorkerSiloProcessStalledForThirtySecondsNeitherHangsTheRunNorAppliesAStepTwice()
    {
        int primaryPort = FreePort.Next();
        await using var primary = await InProcessSilo.StartAsync(Args(primaryPort, FreePort.Next(), primaryPort));
        using var victim = SiloProcess.Start(Args(FreePort.Next(), FreePort.Next(), primaryPort));
        await primary.WaitForActiveSilosAsync(2, TimeSpan.FromSeconds(120), victim.Describe);
        var spec = FaultScenario.Spec(steps: 80);
        var stall = Stopwatch.StartNew();

        // SIGSTOP: its sockets stay open, nothing answers. The fault returns at once; the resume comes 30 s later, mid-run or after it.
        var outcome = await FaultScenario.RunAsync(primary.Grains, primary.Address, spec, faultAfterStep: 5, () =>
        {
            victim.Pause();
            _ = Task.Delay(TimeSpan.FromSeconds(30)).ContinueWith(_ => victim.Resume(), TaskScheduler.Default);
            return Task.CompletedTask;
        }, output, TimeSpan.FromSeconds(90));

        Assert.Equal(4, outcome.AtFault.Workers);
        Assert.Equal(2, outcome.Final.Workers); // the stalled silo was voted dead and its workers planned out
        Assert.True(outcome.Recovery < TimeSpan.FromSeconds(25), $"the run took {outcome.Recovery} to step again after the stall");
        // The local loop's bits: no step was applied twice, and none lost, whatever the stalled silo did after it woke up.
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 80), outcome.Weights, "run whose worker silo process stalled for 30 s");
        output.WriteLine($"stall began {stall.Elapsed.TotalSeconds:F1} s before the run ended");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string[] Args(int siloPort, int gatewayPort, int primaryPort) =>
    [
        $"--DistTrain:Cluster:SiloPort={siloPort}",
        $"--DistTrain:Cluster:GatewayPort={gatewayPort}",
        $"--DistTrain:Cluster:PrimarySiloPort={primaryPort}",
        "--DistTrain:Devices:Backend=cpu",
        "--DistTrain:Devices:CpuWorkers=2",
        "--DistTrain:Devices:CpuThreads=1",
        $"--DistTrain:Coordinator:CheckpointRoot={Path.Combine(_directory, "checkpoints")}",
        .. FastFailureDetection.Args,
    ];
}
