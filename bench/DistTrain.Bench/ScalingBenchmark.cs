using System.Diagnostics;
using System.Globalization;
using DistTrain.Grains;
using DistTrain.Kernels.Models;

namespace DistTrain.Bench;

/// <summary>
/// <c>scaling</c>: data-parallel scaling over real silo processes on loopback, each pinned to
/// its share of the cores with <c>taskset</c>. For the MLP 784-512-256-10 and mnist-cnn at each
/// batch: the local loop on 1 and on 2 threads (child processes pinned to 1 and 2 cores), one
/// worker in one silo process on one core, and two workers in two silo processes on one core
/// each. Prints samples/s, the scaling efficiency (2-process ÷ (2 × 1-process)), the 2-process
/// run against the 2-thread local loop, bytes per step and the per-worker phases, then a
/// projection for 8 and 64 workers on 10 and 100 Gbit/s links (a model on paper, see
/// <see cref="ScalingProjection"/>).
/// Options: <c>--models mlp,cnn</c>, <c>--batches 200,800</c>, <c>--steps N</c> (measured per
/// run, default 400 for the MLP and 40 for the CNN), <c>--warmup N</c> (untimed steps per run, default 8),
/// <c>--warmup-seconds S</c> (untimed runs after a cluster starts, default 20),
/// <c>--local-seconds S</c> (default 4), <c>--cores 0,1</c>, <c>--run-args K=V,…</c> (extra
/// run-spec settings for the Orleans runs: <c>buckets=BYTES</c>, <c>compression=bf16</c>,
/// <c>slices=N</c>), <c>--silo-args "--Key=Value ..."</c> (extra silo configuration, such as
/// <c>--DistTrain:Link:Enabled=false</c> to measure grain calls instead of the tensor link).
/// </summary>
internal static class ScalingBenchmark
{
    public static int Run(string[] args)
    {
        var options = new ScalingOptions(args);
        if (!ProcessCluster.CanPin())
        {
            Console.Error.WriteLine("scaling: needs taskset (util-linux) to pin processes to cores");
            return 2;
        }

        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(ScalingOptions options)
    {
        var local = new Dictionary<(string Model, int Batch, int Threads), double>();
        foreach (string model in options.Models)
        {
            foreach (int batch in options.Batches)
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    double samplesPerSecond = await LocalChild.Measure(model, batch, threads, options.Cores.Take(threads).ToArray(), options.LocalSeconds);
                    local[(model, batch, threads)] = samplesPerSecond;
                    Console.WriteLine(Invariant($"case=scaling path=local model={model} batch={batch} threads={threads} cores={string.Join('+', options.Cores.Take(threads))} samples_per_s={samplesPerSecond:F0}"));
                }
            }
        }

        var orleans = new Dictionary<(string Model, int Batch, int Workers), OrleansMeasurement>();
        foreach (int processes in new[] { 1, 2 })
        {
            await using var cluster = await ProcessCluster.Start([.. options.Cores.Take(processes)], options.SiloArgs);
            await cluster.WarmUp(Spec(options, options.Models[0], options.Batches[0], processes), options.WarmupSeconds);
            foreach (string model in options.Models)
            {
                foreach (int batch in options.Batches)
                {
                    var measured = await cluster.Measure(Spec(options, model, batch, processes), options.Warmup);
                    orleans[(model, batch, processes)] = measured;
                    Console.WriteLine(Invariant(
                        $"case=scaling path=orleans model={model} batch={batch} processes={processes} workers={measured.Workers} samples_per_s={measured.SamplesPerSecond:F0} step_ms={measured.StepMs:F2} compute_ms={measured.ComputeMs:F2} push_wait_ms={measured.PushWaitMs:F2} pull_wait_ms={measured.PullWaitMs:F2} apply_ms={measured.ApplyMs:F2} wire_bytes_per_step={measured.WireBytesPerStep:F0} bytes_pushed_per_step={measured.BytesPushedPerStep:F0} bytes_pulled_per_step={measured.BytesPulledPerStep:F0}"));
                }
            }
        }

        foreach (string model in options.Models)
        {
            foreach (int batch in options.Batches)
            {
                var one = orleans[(model, batch, 1)];
                var two = orleans[(model, batch, 2)];
                double efficiency = two.SamplesPerSecond / (2 * one.SamplesPerSecond);
                double vsLocal2 = two.SamplesPerSecond / local[(model, batch, 2)];
                Console.WriteLine(Invariant(
                    $"case=scaling summary model={model} batch={batch} local_1t={local[(model, batch, 1)]:F0} local_2t={local[(model, batch, 2)]:F0} orleans_1p={one.SamplesPerSecond:F0} orleans_2p={two.SamplesPerSecond:F0} scaling_efficiency={efficiency:F2} vs_local_2t={vsLocal2:F2} orleans_1p_vs_local_1t={one.SamplesPerSecond / local[(model, batch, 1)]:F2} wire_bytes_per_step={two.WireBytesPerStep:F0}"));
                int parameters = ParameterLayout.For(model == "cnn" ? ModelPresets.MnistCnn() : ModelPresets.MnistMlp()).Total;
                foreach (string line in ScalingProjection.Lines(model, batch, parameters, two))
                {
                    Console.WriteLine(line);
                }
            }
        }

        return 0;
    }

    /// <summary>The run spec of one measured run: momentum SGD, 8 micro-shards, synthetic MNIST-shaped data (784 features, 10 classes).</summary>
    internal static RunSpec Spec(ScalingOptions options, string model, int batch, int workers)
    {
        int steps = options.StepsFor(model) + options.Warmup;
        // One epoch of steps × batch samples: no epoch-end checkpoint inside the measured run
        // (its file write would share a silo's core with the next step's compute).
        var data = DataSpec.SyntheticClassification(batch * steps, 784, 10, seed: 3, noise: 1f);
        string json = (model == "cnn" ? ModelPresets.MnistCnn() : ModelPresets.MnistMlp()).ToJson();
        var spec = new RunSpec(json, data, batch, MicroShards: 8, Epochs: 1, Seed: 1, new OptimizerSettings(0.05f, Momentum: 0.9f), Workers: workers, MaxSteps: steps);
        return options.Apply(spec, workers);
    }

    internal static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}

/// <summary>What one Orleans run measured, means over its measured steps (per-worker figures: the slowest worker's).</summary>
internal sealed record OrleansMeasurement(
    int Workers,
    double SamplesPerSecond,
    double StepMs,
    double ComputeMs,
    double PushWaitMs,
    double PullWaitMs,
    double ApplyMs,
    double WireBytesPerStep,
    double BytesPushedPerStep,
    double BytesPulledPerStep);

/// <summary>Command-line options of <see cref="ScalingBenchmark"/>.</summary>
internal sealed class ScalingOptions
{
    private readonly Dictionary<string, string> _runArgs;

    public ScalingOptions(string[] args)
    {
        Models = [.. Option(args, "--models", "mlp,cnn").Split(',')];
        Batches = [.. Option(args, "--batches", "200,800").Split(',').Select(int.Parse)];
        _steps = Option(args, "--steps", string.Empty) is { Length: > 0 } steps ? int.Parse(steps, CultureInfo.InvariantCulture) : null;
        Warmup = int.Parse(Option(args, "--warmup", "8"), CultureInfo.InvariantCulture);
        WarmupSeconds = double.Parse(Option(args, "--warmup-seconds", "20"), CultureInfo.InvariantCulture);
        LocalSeconds = double.Parse(Option(args, "--local-seconds", "4"), CultureInfo.InvariantCulture);
        Cores = [.. Option(args, "--cores", "0,1").Split(',').Select(int.Parse)];
        SiloArgs = [.. Option(args, "--silo-args", string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        _runArgs = Option(args, "--run-args", string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : string.Empty, StringComparer.OrdinalIgnoreCase);
        if (Cores.Length < 2 || Models.Any(m => m is not ("mlp" or "cnn")))
        {
            throw new ArgumentException("scaling: --cores needs two cores and --models takes mlp and cnn");
        }
    }

    public string[] Models { get; }

    public int[] Batches { get; }

    /// <summary>
    /// Measured steps per run for <paramref name="model"/>: <c>--steps</c>, or by default 400 for
    /// the MLP (its 5–20 ms steps need that many to settle; 40 gave a third less at batch 200)
    /// and 40 for the CNN (170–710 ms steps).
    /// </summary>
    public int StepsFor(string model) => _steps ?? (model == "cnn" ? 40 : 400);

    public int Warmup { get; }

    public double WarmupSeconds { get; }

    public double LocalSeconds { get; }

    public int[] Cores { get; }

    /// <summary>Extra configuration for every silo process (<c>--silo-args "--DistTrain:Link:Enabled=false"</c>).</summary>
    public string[] SiloArgs { get; }

    private readonly int? _steps;

    /// <summary>The <c>--run-args</c> settings applied to a run spec.</summary>
    public RunSpec Apply(RunSpec spec, int workers)
    {
        if (_runArgs.TryGetValue("slices", out var slices))
        {
            spec = spec with { ServerSlices = int.Parse(slices, CultureInfo.InvariantCulture) };
        }

        if (_runArgs.TryGetValue("buckets", out var buckets))
        {
            spec = spec with { BucketBytes = int.Parse(buckets, CultureInfo.InvariantCulture) };
        }

        if (_runArgs.TryGetValue("compression", out var compression))
        {
            spec = spec with
            {
                Compression = compression.ToLowerInvariant() switch
                {
                    "none" => GradientCompression.None,
                    "bf16" => GradientCompression.Bf16,
                    _ => throw new ArgumentException($"--run-args compression must be none or bf16, got '{compression}'."),
                },
            };
        }

        return spec;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
