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

    [RedisFact]
    public async Task RedisCrashedMidRunAndRestartedSixSecondsLaterLosesNothingAndTheRunFinishesBitIdentical()
    {
        // Redis as deploy/README.md asks for it: an append-only file (here synced on every write).
        await using var redis = await RedisServer.StartAsync(persistent: true);
        var spec = FaultScenario.Spec(steps: 400, checkpointInterval: 10);
        var downtime = TimeSpan.FromSeconds(6);
        FaultOutcome outcome;
        TimeSpan? backAfter = null;
        await using (var coordinatorSilo = await InProcessSilo.StartAsync(Args(redis)))
        using (var other = SiloProcess.Start(Args(redis)))
        {
            await coordinatorSilo.WaitForActiveSilosAsync(2, TimeSpan.FromSeconds(120), other.Describe);
            Task restart = Task.CompletedTask;
            var clock = System.Diagnostics.Stopwatch.StartNew();

            // SIGKILL of redis-server: membership, run state and reminders unreachable while the run
            // steps (state writes at checkpoints and epoch ends fail); back on the same port after 6 s.
            outcome = await FaultScenario.RunAsync(coordinatorSilo.Grains, coordinatorSilo.Address, spec, faultAfterStep: 15, () =>
            {
                clock.Restart();
                redis.Kill();
                restart = Task.Run(async () =>
                {
                    await Task.Delay(downtime);
                    await redis.StartAgainAsync();
                    backAfter = clock.Elapsed;
                });
                return Task.CompletedTask;
            }, output, TimeSpan.FromSeconds(90));
            await restart;
            output.WriteLine($"redis-server back after {backAfter?.TotalSeconds:F2} s; the run ended {outcome.Finished.TotalSeconds:F2} s after the crash");
            Assert.True(outcome.Finished > backAfter, $"the run ended {outcome.Finished} after the crash, before Redis was back ({backAfter}): the outage was not mid-run");
            Assert.Equal(4, outcome.Final.Workers); // no silo was lost to the outage
            Assert.False(other.HasExited, other.Describe());
            other.Stop();
            await coordinatorSilo.StopAsync();
        }

        TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 400), outcome.Weights, "run through a Redis crash and restart");

        // Nothing lost: with the whole cluster gone and Redis restarted once more, a new silo reads
        // the run's final status, its epochs, its weights and the run list from the append-only file.
        redis.Kill();
        await redis.StartAgainAsync();
        await using (var silo = await InProcessSilo.StartAsync(Args(redis)))
        {
            var run = silo.Grains.GetGrain<ITrainingRunGrain>(outcome.Final.RunId);
            var status = await run.GetStatus();
            Assert.Equal(RunState.Completed, status.State);
            Assert.Equal(400, status.Step);
            Assert.Equal(400 / 16, status.Epochs.Count);
            Assert.Equal(outcome.Final.Epochs, status.Epochs);
            TestRuns.AssertSameBits(outcome.Weights, (await run.GetWeights())!, "weights read after the cluster and Redis restarted");
            Assert.Contains(outcome.Final.RunId, await silo.Grains.GetGrain<IRunRegistryGrain>(0).List());
        }
    }

    [RedisFact]
    public async Task ARunStoppedWhileRedisIsDownStopsAndItsStateReachesRedisWhenItIsBack()
    {
        // A client's Stop while the store is unreachable: the coordinator writes its last
        // checkpoint and ends the run at once; its state write waits for Redis instead of failing
        // the stop (or, before, dropping it: the run went on).
        await using var redis = await RedisServer.StartAsync(persistent: true);
        var spec = FaultScenario.Spec(steps: 400, checkpointInterval: 10);
        string runId = $"redis-stop-{Guid.NewGuid():N}";
        RunStatus stopped;
        await using (var silo = await InProcessSilo.StartAsync(Args(redis)))
        {
            var run = silo.Grains.GetGrain<ITrainingRunGrain>(runId);
            await run.Start(spec);
            while ((await run.GetStatus()) is { State: RunState.Running, Step: < 15 })
            {
                await Task.Delay(5);
            }

            redis.Kill();
            await run.Stop();
            stopped = await TestRuns.WaitUntilSettled(run, TimeSpan.FromSeconds(30));
            Assert.True(stopped.State == RunState.Stopped, $"the run stopped during the outage ended {stopped.State} at step {stopped.Step}: {stopped.Error}");
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal((RunState.Stopped, stopped.Step), ((await run.GetStatus()).State, (await run.GetStatus()).Step));
            await redis.StartAgainAsync();
            await Task.Delay(TimeSpan.FromSeconds(8)); // the deferred write retries every 3 s; StackExchange.Redis reconnects within a few
            redis.Kill(); // no graceful shutdown of the silo: its state must already be in Redis
            await redis.StartAgainAsync();
        }

        // A new silo reads the stopped run from Redis and resumes it to the uninterrupted run's bits.
        await using (var silo = await InProcessSilo.StartAsync(Args(redis)))
        {
            var run = silo.Grains.GetGrain<ITrainingRunGrain>(runId);
            var status = await run.GetStatus();
            Assert.Equal((RunState.Stopped, stopped.Step, stopped.LastCheckpoint), (status.State, status.Step, status.LastCheckpoint));
            Assert.Equal(stopped.Epochs, status.Epochs);
            TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, stopped.Step), (await run.GetWeights())!, "weights of the run stopped during the outage");
            await run.Resume();
            var finished = await TestRuns.WaitUntilSettled(run, TimeSpan.FromSeconds(60));
            Assert.True(finished.State == RunState.Completed, $"Run ended {finished.State} at step {finished.Step}: {finished.Error}");
            TestRuns.AssertSameBits(TestRuns.LocalWeights(spec, 400), (await run.GetWeights())!, "run stopped during a Redis outage and resumed");
        }
    }

    /// <summary>The keys a user passes to <c>DistTrain.Silo</c> to run on Redis (fresh ports each time); <paramref name="redis"/>: another server than the test's own.</summary>
    private string[] Args(RedisServer? redis = null) =>
    [
        $"--DistTrain:Cluster:RedisConnectionString={(redis ?? _redis)!.ConnectionString}",
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
