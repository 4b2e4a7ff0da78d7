using System.Diagnostics;
using System.Globalization;
using DistTrain.Grains;
using DistTrain.Grains.Data;
using DistTrain.Grains.Runs;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;
using DistTrain.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DistTrain.Bench;

/// <summary>
/// <c>distributed</c>: training throughput of the 784-512-256-10 MLP at batch 200 (synthetic
/// MNIST-shaped data, 8 micro-shards) through the local loop, through Orleans with one worker
/// in one silo, and with two workers on two silos in this process; the Orleans paths as
/// ratios to the local loop measured in the same run. Also the bytes moved per step and the
/// split of a step's time (weight fetch, compute, gradient push, the rest at the coordinator).
/// Options: <c>--steps N</c> (measured, default 20), <c>--warmup N</c> (default 5),
/// <c>--threads T</c> (threads of the local loop and of the single worker; default all cores),
/// <c>--rounds R</c> (local/Orleans pairs per path, default 3), <c>--warmup-seconds S</c> (untimed
/// Orleans runs before the rounds of each path, default 30). Besides the throughput ratio it
/// prints the ratio of median step times, which is robust to steps slowed by other load.
/// </summary>
internal static class DistributedBenchmark
{
    private const int Batch = 200;
    private const int MicroShards = 8;

    public static int Run(string[] args)
    {
        int steps = int.Parse(Option(args, "--steps") ?? "20", CultureInfo.InvariantCulture);
        int warmup = int.Parse(Option(args, "--warmup") ?? "5", CultureInfo.InvariantCulture);
        int threads = int.Parse(Option(args, "--threads") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        double warmupSeconds = double.Parse(Option(args, "--warmup-seconds") ?? "30", CultureInfo.InvariantCulture);
        return RunAsync(steps, warmup, threads, rounds, warmupSeconds).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int steps, int warmup, int threads, int rounds, double warmupSeconds)
    {
        var data = DataSpec.SyntheticClassification(Batch * (steps + warmup + 1), 784, 10, seed: 3, noise: 1f);
        var spec = new RunSpec(ModelPresets.MnistMlp().ToJson(), data, Batch, MicroShards, Epochs: 1, Seed: 1, new OptimizerSettings(0.05f, Momentum: 0.9f), MaxSteps: steps + warmup);

        // One silo with one worker using every core (the Orleans path's overhead over the same
        // engine), then two silos in this process with one worker each, the cores split
        // between them. Each round measures the local loop right before the Orleans run, so
        // that both see the same machine load; the ratio is the median over the rounds.
        // One untimed local run first, so that tiered JIT has optimised the engine's code before
        // either path is timed (otherwise round 0 measures half-compiled code on both sides).
        MeasureLocal(spec, steps, warmup, threads);
        foreach (var (path, silos, workerThreads) in new[] { ("orleans-1-worker", 1, threads), ("orleans-2-silos", 2, Math.Max(1, threads / 2)) })
        {
            await using var cluster = await InProcessCluster.Start(silos, workerThreads);
            await WarmUp(cluster.Grains, spec, path, warmupSeconds);
            var ratios = new List<double>();
            var medianStepRatios = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                var (local, localMedianMs) = MeasureLocal(spec, steps, warmup, threads);
                Console.WriteLine(FormattableString.Invariant($"case=distributed path=local round={round} threads={threads} samples_per_s={local:F0} median_step_ms={localMedianMs:F2}"));
                var (ratio, medianStepRatio) = await MeasureOrleans(path, round, cluster.Grains, spec, steps, warmup, local, localMedianMs);
                ratios.Add(ratio);
                medianStepRatios.Add(medianStepRatio);
            }

            ratios.Sort();
            medianStepRatios.Sort();
            Console.WriteLine(FormattableString.Invariant(
                $"case=distributed path={path} summary=median ratio={ratios[ratios.Count / 2]:F2} median_step_ratio={medianStepRatios[medianStepRatios.Count / 2]:F2} rounds={rounds}"));
        }

        return 0;
    }

    /// <summary>Throughput (samples/s over all measured steps) and the median step time of the local loop.</summary>
    private static (double SamplesPerSecond, double MedianStepMs) MeasureLocal(RunSpec spec, int steps, int warmup, int threads)
    {
        var samples = SyntheticDataSets.Classification(spec.Data.Synthetic!);
        using var backend = new CpuBackend(threads);
        using var trainer = new LocalTrainer(ModelPresets.MnistMlp(), new TrainingOptions(Batch, 1, spec.Optimizer.ToSpec(), MicroShards, spec.Seed), backend);
        for (int i = 0; i < warmup; i++)
        {
            trainer.TrainStep(samples);
        }

        var stepMs = new double[steps];
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < steps; i++)
        {
            long stepStart = Stopwatch.GetTimestamp();
            trainer.TrainStep(samples);
            stepMs[i] = Stopwatch.GetElapsedTime(stepStart).TotalMilliseconds;
        }

        return (steps * Batch / Stopwatch.GetElapsedTime(start).TotalSeconds, Median(stepMs));
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// The Orleans path's throughput as a ratio to the local loop's (the target), and the ratio
    /// of median step times (local ÷ Orleans), which leaves out the steps slowed by other load
    /// on a shared machine and so shows the path's own overhead.
    /// </summary>
    private static async Task<(double Ratio, double MedianStepRatio)> MeasureOrleans(string path, int round, IGrainFactory grains, RunSpec spec, int steps, int warmup, double local, double localMedianMs)
    {
        TimeSpan pauseBefore = GC.GetTotalPauseDuration();
        int gen2Before = GC.CollectionCount(2);
        long allocatedBefore = GC.GetTotalAllocatedBytes();
        var (run, status) = await RunToCompletion(grains, spec, path);

        // GC over the whole run (warm-up included), per step: the payloads are large-object-heap arrays.
        int runSteps = steps + warmup;
        double gcPauseMs = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds / runSteps;
        double gen2PerStep = (GC.CollectionCount(2) - gen2Before) / (double)runSteps;
        double allocatedMbPerStep = (GC.GetTotalAllocatedBytes() - allocatedBefore) / 1e6 / runSteps;
        var measured = (await run.GetReports(warmup - 1)).ToList();
        double seconds = measured.Sum(r => r.Milliseconds) / 1000;
        double throughput = measured.Count * Batch / seconds;
        double Mean(Func<StepReport, double> f) => measured.Average(f);
        Console.WriteLine(FormattableString.Invariant(
            $"case=distributed path={path} round={round} workers={status.Workers} samples_per_s={throughput:F0} ratio={throughput / local:F2} step_ms={Mean(r => r.Milliseconds):F1} pull_ms={Mean(r => r.PullMilliseconds):F1} compute_ms={Mean(r => r.ComputeMilliseconds):F1} push_ms={Mean(r => r.PushMilliseconds):F1} worker_call_ms={Mean(r => r.SlowestWorkerMilliseconds):F1} reduce_apply_ms={Mean(r => r.Milliseconds - r.SlowestWorkerMilliseconds):F1} bytes_pushed_per_step={Mean(r => r.BytesPushed):F0} bytes_pulled_per_step={Mean(r => r.BytesPulled):F0} gc_pause_ms_per_step={gcPauseMs:F2} gen2_per_step={gen2PerStep:F2} allocated_mb_per_step={allocatedMbPerStep:F1}"));
        double medianMs = Median(measured.Select(r => r.Milliseconds));
        Console.WriteLine(FormattableString.Invariant($"case=distributed path={path} round={round} median_step_ms={medianMs:F2} local_median_step_ms={localMedianMs:F2} median_step_ratio={localMedianMs / medianMs:F2}"));
        return (throughput / local, localMedianMs / medianMs);
    }

    /// <summary>
    /// Untimed runs of the Orleans path for at least <paramref name="seconds"/>: the runtime
    /// compiles the silo's code (messaging, activation, the run's start and end) in the
    /// background for tens of seconds after it is first used, and on 2 cores that compiling
    /// took 13 % of a core away from the first measured rounds (the local loop's code is small
    /// and warms up in its one untimed run).
    /// </summary>
    private static async Task WarmUp(IGrainFactory grains, RunSpec spec, string path, double seconds)
    {
        long start = Stopwatch.GetTimestamp();
        int runs = 0;
        do
        {
            await RunToCompletion(grains, spec, $"{path}-warm-up");
            runs++;
        }
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds);

        Console.WriteLine(FormattableString.Invariant($"case=distributed path={path} warm_up_runs={runs} warm_up_s={Stopwatch.GetElapsedTime(start).TotalSeconds:F1}"));
    }

    /// <summary>Starts a run of <paramref name="spec"/> and waits for it to complete, polling as a console's <c>watch</c> does.</summary>
    private static async Task<(ITrainingRunGrain Run, RunStatus Status)> RunToCompletion(IGrainFactory grains, RunSpec spec, string path)
    {
        var run = grains.GetGrain<ITrainingRunGrain>($"bench-{path}-{Guid.NewGuid():N}");
        var status = await run.Start(spec);
        while (status.State is RunState.Running)
        {
            await Task.Delay(250); // a console's `watch` polls about this often; faster polling would take turns from the run
            status = await run.GetStatus();
        }

        if (status.State is not RunState.Completed)
        {
            throw new InvalidOperationException($"Benchmark run {path} ended {status.State}: {status.Error}");
        }

        return (run, status);
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary><paramref name="silos"/> DistTrain silos in this process (localhost clustering), one CPU worker each.</summary>
    private sealed class InProcessCluster : IAsyncDisposable
    {
        private readonly List<IHost> _hosts;

        private InProcessCluster(List<IHost> hosts) => _hosts = hosts;

        public IGrainFactory Grains => _hosts[0].Services.GetRequiredService<IGrainFactory>();

        public static async Task<InProcessCluster> Start(int silos, int workerThreads)
        {
            var hosts = new List<IHost>();
            string clusterId = $"bench-{Guid.NewGuid():N}";
            for (int i = 0; i < silos; i++)
            {
                var builder = Host.CreateApplicationBuilder();
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                builder.Configuration["DistTrain:Cluster:ClusterId"] = clusterId;
                builder.Configuration["DistTrain:Cluster:SiloPort"] = (21111 + i).ToString(CultureInfo.InvariantCulture);
                builder.Configuration["DistTrain:Cluster:GatewayPort"] = (32000 + i).ToString(CultureInfo.InvariantCulture);
                builder.Configuration["DistTrain:Cluster:PrimarySiloPort"] = "21111";
                builder.Configuration["DistTrain:Devices:Backend"] = "cpu";
                builder.Configuration["DistTrain:Devices:CpuWorkers"] = "1";
                builder.Configuration["DistTrain:Devices:CpuThreads"] = workerThreads.ToString(CultureInfo.InvariantCulture);
                builder.Configuration["DistTrain:Coordinator:CheckpointRoot"] = Path.Combine(Path.GetTempPath(), "disttrain-bench");
                builder.UseDistTrain();
                var host = builder.Build();
                await host.StartAsync();
                hosts.Add(host);
            }

            return new InProcessCluster(hosts);
        }

        public async ValueTask DisposeAsync()
        {
            for (int i = _hosts.Count - 1; i >= 0; i--)
            {
                await _hosts[i].StopAsync();
                _hosts[i].Dispose();
            }
        }
    }
}
