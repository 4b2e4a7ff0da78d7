using DistTrain.Grains.Tests.Cluster;
using DistTrain.Grains.Tests.Hosting;
using Xunit.Abstractions;

namespace DistTrain.Grains.Tests.Redis;

/// <summary>
/// Silos configured for Redis exactly as users configure them
/// (<c>--DistTrain:Cluster:RedisConnectionString=…</c>: membership, grain state and reminders
/// in Redis) against a real, throw-away <c>redis-server</c>.
/// </summary>
[Collection(SiloProcessCollection.Name)]
public sealed class RedisClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-redis-cluster-").FullName;
    private readonly string _serviceId = $"redis-test-{Guid.NewGuid():N}";
    private RedisServer? _redis;

    public async Task InitializeAsync()
    {
        if (RedisServer.Executable is not null)
        {
            _redis = await RedisServer.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [RedisFact]
    public async Task ARunStoppedWithItsClusterResumesFromRedisAndItsStatusOutlivesTheNextRestart()
    {
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 40, workers: 0, checkpointInterval: 10);
        string runId = $"redis-{Guid.NewGuid():N}";

        // First cluster: start the run, then take the whole cluster down mid-run.
        RunStatus interrupted;
        await using (var silo = await InProcessSilo.StartAsync(Args()))
        {
            var run = silo.Grains.GetGrain<ITrainingRunGrain>(runId);
            await run.Start(spec);
            while ((interrupted = await run.GetStatus()) is { State: RunState.Running, Step: < 15 })
            {
                await Task.Delay(5);
            }

            await silo.StopAsync();
        }

        Assert.Equal(RunState.Running, interrupted.State);
        Assert.True(interrupted.Step < 40, $"the run must still be in flight, it is at step {interrupted.Step}");

        // Second cluster: the coordinator's state comes back from Redis; the run rewinds to its
        // checkpoint and finishes.
        RunStatus finished;
        float[]? weights;
        await using (var silo = await InProcessSilo.StartAsync(Args()))
        {
            var run = silo.Grains.GetGrain<ITrainingRunGrain>(runId);
            finished = await TestRuns.WaitUntilSettled(run, TimeSpan.FromSeconds(60));
            weights = await run.GetWeights();
            Assert.Contains(runId, await silo.Grains.GetGrain<IRunRegistryGrain>(0).List());
        }

        Assert.True(finished.State == RunState.Completed, $"Run ended {finished.State} at step {finished.Step}: {finished.Error}");
        Assert.Equal(40, finished.Step);
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 40), weights!, "run resumed by a restarted cluster");

        // Third cluster: the finished run's status and weights are still there.
        await using (var silo = await InProcessSilo.StartAsync(Args()))
        {
            var run = silo.Grains.GetGrain<ITrainingRunGrain>(runId);
            var status = await run.GetStatus();
            Assert.Equal(RunState.Completed, status.State);
            Assert.Equal(40, status.Step);
            Assert.Equal((40L, 16, 2, 2), (status.TotalSteps, status.StepsPerEpoch, status.Epoch, status.Workers));
            Assert.Equal(finished.Epochs, status.Epochs);
            TestRuns.AssertSameBits(weights!, (await run.GetWeights())!, "weights read after a restart");
            Assert.Contains(runId, await silo.Grains.GetGrain<IRunRegistryGrain>(0).List());
        }
    }

    [RedisFact]
    public async Task KillingTheProcessOfTheCoordinatorAndItsParameterServerRewindsToTheCheckpointAndFinishesBitIdentical()
    {
        // No client calls the run after the kill: its reminder (2 s here, from
        // DistTrain:Coordinator:ReminderPeriod) must bring the coordinator back on the survivor.
        await using var survivor = await InProcessSilo.StartAsync(Args());
        using var victim = SiloProcess.Start(Args());
        await survivor.WaitForActiveSilosAsync(2, TimeSpan.FromSeconds(120), victim.Describe);
        var victimAddress = survivor.ActiveSilos().Single(a => !a.Equals(survivor.Address));
        var spec = FaultScenario.Spec(steps: 80, checkpointInterval: 10);

        // The coordinator, and the parameter-server slice placed beside it, on the victim.
        var outcome = await FaultScenario.RunAsync(survivor.Grains, victimAddress, spec, faultAfterStep: 15, () => Task.Run(victim.Kill), output, TimeSpan.FromSeconds(60), pollDuringRecovery: false);

        Assert.Equal(survivor.Address.ToParsableString(), outcome.Final.CoordinatorSilo);
        Assert.Equal(2, outcome.Final.Workers);
        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 80), outcome.Weights, "run whose coordinator and server silo was killed");
    }

    /// <summary>The keys a user passes to <c>DistTrain.Silo</c> to run on Redis (fresh ports each time).</summary>
    private string[] Args() =>
    [
        $"--DistTrain:Cluster:RedisConnectionString={_redis!.ConnectionString}",
        $"--DistTrain:Cluster:ClusterId={_serviceId}",
        $"--DistTrain:Cluster:ServiceId={_serviceId}",
        "--DistTrain:Cluster:AdvertisedAddress=127.0.0.1",
        $"--DistTrain:Cluster:SiloPort={FreePort.Next()}",
        $"--DistTrain:Cluster:GatewayPort={FreePort.Next()}",
        "--DistTrain:Devices:Backend=cpu",
        "--DistTrain:Devices:CpuWorkers=2",
        "--DistTrain:Devices:CpuThreads=1",
        $"--DistTrain:Coordinator:CheckpointRoot={Path.Combine(_directory, "checkpoints")}",
        "--DistTrain:Coordinator:ReminderPeriod=00:00:02",
        .. FastFailureDetection.Args,
    ];
}
