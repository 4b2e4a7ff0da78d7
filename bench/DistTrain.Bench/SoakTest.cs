using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DistTrain.Grains;
using DistTrain.Grains.Data;
using DistTrain.Grains.Runs;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace DistTrain.Bench;

/// <summary>
/// The soak test, run by hand (deploy/README.md, "Soak test"): <c>--silos</c> (3)
/// <c>DistTrain.Silo</c> processes on Redis (a throw-away <c>redis-server</c> with an
/// append-only file, or <c>--redis host:port</c>), and for <c>--minutes</c> (10) a loop that
/// keeps <c>--runs</c> (2) runs going, stops and later resumes some of them, and SIGKILLs a
/// random silo about every <c>--kill-every</c> seconds (15; restarted 2–8 s later on the same
/// ports). Every finished run's weights are compared bit for bit with the local loop on the same
/// spec. Report: runs started, completed, failed; stops and resumes; kills; rewinds; steps
/// recomputed and steps lost beyond the checkpoints (see <see cref="RunWatch"/>).
/// </summary>
internal static class SoakTest
{
    private const int CheckpointInterval = 10;

    public static int Run(string[] args)
    {
        var options = SoakOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: DistTrain.Bench soak [--minutes 10] [--silos 3] [--runs 2] [--kill-every 15] [--seed 1] [--redis host:port]");
            return 2;
        }

        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(SoakOptions options)
    {
        var random = new Random(options.Seed);
        string directory = Directory.CreateTempSubdirectory("disttrain-soak-").FullName;
        string clusterId = $"soak-{Guid.NewGuid():N}";
        Process? redis = null;
        var silos = new SiloSlot[options.Silos];
        var counters = new SoakCounters();
        var watches = new List<RunWatch>();
        var clock = Stopwatch.StartNew();
        try
        {
            string connection = options.Redis ?? StartRedis(directory, out redis);
            await WaitForPort(connection, redis);
            for (int i = 0; i < silos.Length; i++)
            {
                silos[i] = new SiloSlot(FreePort(), FreePort());
                silos[i].Start(connection, clusterId, directory);
                await WaitForPort($"127.0.0.1:{silos[i].GatewayPort}", silos[i].Process);
            }

            using var client = await ConnectAsync(clusterId, silos);
            var grains = client.Services.GetRequiredService<IGrainFactory>();
            await WaitForSilos(grains, silos.Length);
            Console.WriteLine($"soak: {silos.Length} silos on Redis {connection}, {options.Runs} runs at a time, a kill about every {options.KillEvery} s, for {options.Minutes} min (seed {options.Seed})");

            var end = TimeSpan.FromMinutes(options.Minutes);
            var nextKill = Exponential(random, options.KillEvery);
            while (clock.Elapsed < end || watches.Any(w => !w.Done))
            {
                bool starting = clock.Elapsed < end;
                while (starting && watches.Count(w => !w.Done) < options.Runs)
                {
                    var spec = Spec(random, counters.Started);
                    var watch = new RunWatch($"soak-{counters.Started}-{Guid.NewGuid():N}"[..24], spec);
                    try
                    {
                        await grains.GetGrain<ITrainingRunGrain>(watch.RunId).Start(spec);
                        watches.Add(watch);
                        counters.Started++;
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        counters.StartRefused++; // a silo just died; try again next round
                        Console.WriteLine($"{clock.Elapsed:mm\\:ss} start of {watch.RunId} refused: {e.GetType().Name}: {First(e.Message)}");
                        break;
                    }
                }

                // Faults: SIGKILL of a random live silo (never the last one), restarted later.
                if (starting && clock.Elapsed > nextKill)
                {
                    var live = silos.Where(s => s.Running).ToList();
                    if (live.Count > 1)
                    {
                        var victim = live[random.Next(live.Count)];
                        victim.Kill(clock.Elapsed + TimeSpan.FromSeconds(2 + (random.NextDouble() * 6)));
                        counters.Kills++;
                        Console.WriteLine($"{clock.Elapsed:mm\\:ss} SIGKILL silo :{victim.SiloPort}");
                    }

                    nextKill = clock.Elapsed + Exponential(random, options.KillEvery);
                }

                foreach (var slot in silos.Where(s => !s.Running && s.RestartAt < clock.Elapsed))
                {
                    slot.Start(connection, clusterId, directory);
                    counters.Restarts++;
                    Console.WriteLine($"{clock.Elapsed:mm\\:ss} restarted silo :{slot.SiloPort}");
                }

                foreach (var watch in watches.Where(w => !w.Done))
                {
                    await Poll(grains.GetGrain<ITrainingRunGrain>(watch.RunId), watch, random, counters, clock, starting);
                }

                await Task.Delay(100);
            }

            Report(options, clock.Elapsed, counters, watches);
            return watches.All(w => w.Done && w.Final is RunState.Completed && w.SameBits == true) && counters.StepsLostBeyondCheckpoints == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var slot in silos)
            {
                slot?.Kill(TimeSpan.MaxValue);
            }

            if (redis is { HasExited: false })
            {
                redis.Kill();
                redis.WaitForExit(10_000);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>One status poll of a run: rewinds counted, a random stop or resume, the end checked against the local loop.</summary>
    private static async Task Poll(ITrainingRunGrain run, RunWatch watch, Random random, SoakCounters counters, Stopwatch clock, bool faults)
    {
        RunStatus status;
        try
        {
            status = await run.GetStatus();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            watch.FailedPolls++;
            return; // its silo is dead and not yet declared so
        }

        watch.Observe(status.Step);
        switch (status.State)
        {
            case RunState.Running when faults && !watch.StoppedOnce && status.Step > 20 && random.NextDouble() < 0.01:
                await Try(() => run.Stop());
                watch.StoppedOnce = true;
                counters.Stops++;
                break;
            case RunState.Stopped:
                if (random.NextDouble() < 0.05)
                {
                    if (await Try(async () => await run.Resume()))
                    {
                        counters.Resumes++;
                    }
                }

                break;
            case RunState.Completed or RunState.Failed:
                watch.Done = true;
                watch.Final = status.State;
                watch.Error = status.Error;
                if (status.State is RunState.Completed)
                {
                    float[]? weights = await run.GetWeights();
                    watch.SameBits = weights is not null && SameBits(LocalWeights(watch.Spec), weights);
                }

                Console.WriteLine($"{clock.Elapsed:mm\\:ss} {watch.RunId}: {status.State} at step {status.Step}/{watch.Spec.MaxSteps}, {status.Workers} workers, {watch.Rewinds} rewinds, {watch.Recomputed} steps recomputed, {watch.LostBeyondCheckpoints} lost beyond checkpoints, bits {(watch.SameBits == true ? "equal the local loop" : "DIFFER")} {status.Error}");
                break;
        }
    }

    private static async Task<bool> Try(Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    private static void Report(SoakOptions options, TimeSpan elapsed, SoakCounters counters, List<RunWatch> watches)
    {
        var completed = watches.Where(w => w.Final is RunState.Completed).ToList();
        Console.WriteLine();
        Console.WriteLine($"soak report ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {elapsed.TotalMinutes:F1} min, seed {options.Seed}):");
        Console.WriteLine($"  silos: {options.Silos}; SIGKILLs: {counters.Kills}; restarts: {counters.Restarts}");
        Console.WriteLine($"  runs started: {counters.Started}; completed: {completed.Count}; failed: {watches.Count(w => w.Final is RunState.Failed)}; unfinished: {watches.Count(w => !w.Done)}; starts refused (retried): {counters.StartRefused}");
        Console.WriteLine($"  stops: {counters.Stops}; resumes: {counters.Resumes}");
        Console.WriteLine($"  steps trained: {completed.Sum(w => w.Spec.MaxSteps)}; rewinds: {watches.Sum(w => w.Rewinds)}; steps recomputed: {watches.Sum(w => w.Recomputed)}; steps lost beyond checkpoints: {watches.Sum(w => w.LostBeyondCheckpoints)}");
        Console.WriteLine($"  finished runs bit-identical to their no-fault twin (local loop): {completed.Count(w => w.SameBits == true)}/{completed.Count}");
        foreach (var failed in watches.Where(w => w.Final is RunState.Failed || w.SameBits == false))
        {
            Console.WriteLine($"  ! {failed.RunId}: {failed.Final}, bits {(failed.SameBits == true ? "equal" : "differ")}: {failed.Error}");
        }

        counters.StepsLostBeyondCheckpoints = watches.Sum(w => w.LostBeyondCheckpoints);
    }

    /// <summary>A small MLP on synthetic data; the seed and length vary per run.</summary>
    private static RunSpec Spec(Random random, int index)
    {
        var model = new ModelSpec([32], [new DenseSpec(64, ActivationKind.Relu), new DenseSpec(10)], LossKind.SoftmaxCrossEntropy);
        var data = DataSpec.SyntheticClassification(1024, 32, 10, seed: 7 + (ulong)index, noise: 1f);
        var optimizer = new OptimizerSettings(0.05f, Momentum: 0.9f, Nesterov: true, WeightDecay: 1e-4f, ClipNorm: 5f, new ScheduleSettings(ScheduleKind.Cosine, DecaySteps: 100, Factor: 0.1, WarmupSteps: 5));
        return new RunSpec(model.ToJson(), data, 64, 8, Epochs: 100, Seed: 1000 + (ulong)index, optimizer, Workers: 0, ServerSlices: 0, CheckpointInterval: CheckpointInterval, MaxSteps: 150 + random.Next(250));
    }

    private static float[] LocalWeights(RunSpec spec)
    {
        using var trainer = new LocalTrainer(ModelSpec.FromJson(spec.ModelSpecJson), new TrainingOptions(spec.BatchSize, spec.Epochs, spec.Optimizer.ToSpec(), spec.MicroShards, spec.Seed), new CpuBackend(1));
        var data = SyntheticDataSets.Classification(spec.Data.Synthetic!);
        for (long s = 0; s < spec.MaxSteps; s++)
        {
            trainer.TrainStep(data);
        }

        return trainer.Weights;
    }

    private static bool SameBits(float[] expected, float[] actual) =>
        expected.Length == actual.Length && expected.Select(BitConverter.SingleToInt32Bits).SequenceEqual(actual.Select(BitConverter.SingleToInt32Bits));

    private static TimeSpan Exponential(Random random, double meanSeconds) => TimeSpan.FromSeconds(-Math.Log(1 - random.NextDouble()) * meanSeconds);

    private static string First(string message) => message.Split('\n')[0];

    private static string StartRedis(string directory, out Process? redis)
    {
        int port = FreePort();
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (string arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "yes", "--dir", directory })
        {
            info.ArgumentList.Add(arg);
        }

        redis = Process.Start(info) ?? throw new InvalidOperationException("soak: could not start redis-server (Debian: apt-get install redis-server), or pass --redis host:port");
        redis.OutputDataReceived += (_, _) => { };
        redis.ErrorDataReceived += (_, _) => { };
        redis.BeginOutputReadLine();
        redis.BeginErrorReadLine();
        return $"127.0.0.1:{port}";
    }

    private static async Task<IHost> ConnectAsync(string clusterId, SiloSlot[] silos)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Logging.AddFilter("Orleans", LogLevel.Error); // a killed silo's refused connections are expected here
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering([.. silos.Select(s => new IPEndPoint(IPAddress.Loopback, s.GatewayPort))]);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task WaitForSilos(IGrainFactory grains, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while ((await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"soak: {count} silos did not join within 120 s");
            }

            await Task.Delay(250);
        }
    }

    private static async Task WaitForPort(string endpoint, Process? process)
    {
        int port = int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && process is not { HasExited: true })
            {
                await Task.Delay(200);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>One silo's ports; the process behind them is killed and started again.</summary>
    private sealed class SiloSlot(int siloPort, int gatewayPort)
    {
        public int SiloPort { get; } = siloPort;

        public int GatewayPort { get; } = gatewayPort;

        public Process? Process { get; private set; }

        public bool Running => Process is { HasExited: false };

        public TimeSpan RestartAt { get; private set; } = TimeSpan.MaxValue;

        public void Start(string redis, string clusterId, string directory)
        {
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "DistTrain.Silo.dll"),
                $"--DistTrain:Cluster:RedisConnectionString={redis}",
                $"--DistTrain:Cluster:ClusterId={clusterId}",
                $"--DistTrain:Cluster:ServiceId={clusterId}",
                "--DistTrain:Cluster:AdvertisedAddress=127.0.0.1",
                $"--DistTrain:Cluster:SiloPort={SiloPort}",
                $"--DistTrain:Cluster:GatewayPort={GatewayPort}",
                "--DistTrain:Cluster:Membership:ProbeTimeout=00:00:01",
                "--DistTrain:Cluster:Membership:NumMissedProbesLimit=2",
                "--DistTrain:Cluster:Membership:NumVotesForDeathDeclaration=1",
                "--DistTrain:Cluster:Membership:TableRefreshTimeout=00:00:01",
                "--DistTrain:Cluster:Membership:IAmAliveTablePublishTimeout=00:00:02",
                "--DistTrain:Devices:Backend=cpu",
                "--DistTrain:Devices:CpuWorkers=1",
                "--DistTrain:Devices:CpuThreads=1",
                $"--DistTrain:Coordinator:CheckpointRoot={Path.Combine(directory, "checkpoints")}",
                "--DistTrain:Coordinator:ReminderPeriod=00:00:02",
                "--Logging:LogLevel:Default=Error",
            })
            {
                info.ArgumentList.Add(arg);
            }

            Process?.Dispose();
            Process = Process.Start(info) ?? throw new InvalidOperationException("soak: could not start a silo");
            Process.OutputDataReceived += (_, _) => { };
            Process.ErrorDataReceived += (_, _) => { };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
            RestartAt = TimeSpan.MaxValue;
        }

        public void Kill(TimeSpan restartAt)
        {
            if (Process is { HasExited: false })
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }

            RestartAt = restartAt;
        }
    }
}

/// <summary>What the soak test saw of one run.</summary>
/// <remarks>
/// A rewind is a status poll whose step is below the highest step seen before. Its steps
/// recomputed are the difference. Checkpoints are written every <c>CheckpointInterval</c> steps,
/// so after seeing step <c>h</c> the run has a checkpoint at least at
/// <c>floor((h − 1) / interval) · interval</c> (the checkpoint of step <c>h</c> itself may still be
/// in writing); a rewind below that lost steps beyond what checkpoints allow, counted as
/// "steps lost beyond checkpoints" — this must be 0. A stopped run resumes from its stop
/// checkpoint, so a stop adds nothing.
/// </remarks>
internal sealed class RunWatch(string runId, RunSpec spec)
{
    public string RunId { get; } = runId;

    public RunSpec Spec { get; } = spec;

    public long Highest { get; private set; }

    public int Rewinds { get; private set; }

    public long Recomputed { get; private set; }

    public long LostBeyondCheckpoints { get; private set; }

    public int FailedPolls { get; set; }

    public bool StoppedOnce { get; set; }

    public bool Done { get; set; }

    public RunState? Final { get; set; }

    public string? Error { get; set; }

    public bool? SameBits { get; set; }

    public void Observe(long step)
    {
        if (step < Highest)
        {
            Rewinds++;
            Recomputed += Highest - step;
            long guaranteed = Highest > 0 ? (Highest - 1) / Spec.CheckpointInterval * Spec.CheckpointInterval : 0;
            LostBeyondCheckpoints += Math.Max(0, guaranteed - step);
            Highest = step; // the steps above are trained again
        }

        Highest = Math.Max(Highest, step);
    }
}

internal sealed class SoakCounters
{
    public int Started { get; set; }

    public int StartRefused { get; set; }

    public int Kills { get; set; }

    public int Restarts { get; set; }

    public int Stops { get; set; }

    public int Resumes { get; set; }

    public long StepsLostBeyondCheckpoints { get; set; }
}

internal sealed record SoakOptions(double Minutes, int Silos, int Runs, double KillEvery, int Seed, string? Redis)
{
    public static SoakOptions? Parse(string[] args)
    {
        var options = new SoakOptions(10, 3, 2, 15, 1, null);
        for (int i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                return null;
            }

            string value = args[i + 1];
            var invariant = CultureInfo.InvariantCulture;
            options = args[i] switch
            {
                "--minutes" when double.TryParse(value, invariant, out double m) && m > 0 => options with { Minutes = m },
                "--silos" when int.TryParse(value, invariant, out int s) && s >= 2 => options with { Silos = s },
                "--runs" when int.TryParse(value, invariant, out int r) && r >= 1 => options with { Runs = r },
                "--kill-every" when double.TryParse(value, invariant, out double k) && k > 0 => options with { KillEvery = k },
                "--seed" when int.TryParse(value, invariant, out int seed) => options with { Seed = seed },
                "--redis" => options with { Redis = value },
                _ => null,
            };
            if (options is null)
            {
                return null;
            }
        }

        return options;
    }
}
