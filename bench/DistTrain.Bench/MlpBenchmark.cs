using System.Diagnostics;
using System.Globalization;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Training;

namespace DistTrain.Bench;

/// <summary>
/// <c>mlp</c>: training throughput of the 784-512-256-10 MLP (batch 200, momentum SGD) on the
/// local loop with the CPU backend at 1 and 2 threads. Options: <c>--threads 1,2</c>,
/// <c>--batch 200</c>, <c>--micro-shards 8</c>, <c>--seconds 5</c>, <c>--threading parallelfor,workers</c>
/// (how GEMM tiles are spread over threads), <c>--profile</c> (time per backend operation,
/// through a timing wrapper, in a separate run), <c>--rounds R</c> (the thread counts interleaved
/// round by round, with the bare FMA peak of the same threads; see <see cref="MlpRounds"/>).
/// </summary>
internal static class MlpBenchmark
{
    private const double Target = 25_000;

    public static int Run(string[] args)
    {
        int[] threads = [.. Option(args, "--threads", "1,2")!.Split(',').Select(int.Parse)];
        int batch = int.Parse(Option(args, "--batch", "200")!, CultureInfo.InvariantCulture);
        int microShards = int.Parse(Option(args, "--micro-shards", "8")!, CultureInfo.InvariantCulture);
        double seconds = double.Parse(Option(args, "--seconds", "5")!, CultureInfo.InvariantCulture);
        bool profile = args.Contains("--profile");
        GemmThreading[] threadings = [.. Option(args, "--threading", "workers")!.Split(',').Select(t => Enum.Parse<GemmThreading>(t, ignoreCase: true))];

        InMemoryDataSet data = Synthetic(10_000);
        var options = new TrainingOptions(batch, 1, new OptimizerSpec(0.01f, 0.9f), microShards, Seed: 1);
        if (Option(args, "--rounds", null) is { } rounds)
        {
            return MlpRounds.Run(threads, int.Parse(rounds, CultureInfo.InvariantCulture), seconds, options, data);
        }

        foreach (int t in threads)
        {
            foreach (GemmThreading threading in threadings)
            {
                using var backend = new CpuBackend(t, threading);
                (double samplesPerSecond, double msPerStep, long steps, double cores) = Measure(backend, options, data, seconds);
                Console.WriteLine(Invariant(
                    $"case=mlp threads={t} threading={threading.ToString().ToLowerInvariant()} batch={batch} micro_shards={microShards} steps={steps} ms_per_step={msPerStep:F3} samples_per_s={samplesPerSecond:F0} cores_busy={cores:F2} target={Target:F0} ratio={samplesPerSecond / Target:F2}"));
                if (profile)
                {
                    (IComputeBackend timed, TimingBackend timer) = TimingBackend.Wrap(new CpuBackend(t, threading));
                    using IComputeBackend owned = timed;
                    (_, _, long profiled, _) = Measure(timed, options, data, Math.Min(seconds, 3), timer);
                    foreach ((string op, TimeSpan time, long calls) in timer.Totals.OrderByDescending(x => x.Time))
                    {
                        Console.WriteLine(Invariant(
                            $"case=mlp_profile threads={t} op={op} calls_per_step={calls / (double)profiled:F1} ms_per_step={time.TotalMilliseconds / profiled:F3}"));
                    }
                }
            }
        }

        return 0;
    }

    /// <returns>Throughput, wall time per step, steps, and cores busy on average (process CPU time ÷ wall time).</returns>
    private static (double SamplesPerSecond, double MsPerStep, long Steps, double CoresBusy) Measure(IComputeBackend backend, TrainingOptions options, IDataSet data, double seconds, TimingBackend? timer = null)
    {
        using var trainer = new LocalTrainer(ModelPresets.MnistMlp(), options, backend);
        // Warm-up: buffers, and long enough for tiered JIT to replace the first (unoptimised) code.
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 10 || warmUp.Elapsed.TotalSeconds < 1.5; i++)
        {
            trainer.TrainStep(data);
        }

        timer?.Clear();
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long steps = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            trainer.TrainStep(data);
            steps++;
        }

        double elapsed = clock.Elapsed.TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        return (steps * options.BatchSize / elapsed, elapsed * 1000 / steps, steps, cpu / elapsed);
    }

    /// <summary>A learnable 10-class problem of MNIST's shape: class prototypes in [0, 1)^784 plus noise.</summary>
    internal static InMemoryDataSet Synthetic(int count)
    {
        var random = new Random(7);
        var prototypes = new float[10 * 784];
        for (int i = 0; i < prototypes.Length; i++)
        {
            prototypes[i] = random.NextSingle();
        }

        var inputs = new float[count * 784];
        var targets = new float[count * 10];
        for (int s = 0; s < count; s++)
        {
            int c = random.Next(10);
            targets[(s * 10) + c] = 1;
            for (int f = 0; f < 784; f++)
            {
                inputs[(s * 784) + f] = prototypes[(c * 784) + f] + (random.NextSingle() - 0.5f);
            }
        }

        return new InMemoryDataSet(inputs, targets, [784], 10);
    }

    private static string? Option(string[] args, string name, string? fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
