using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Bench;

/// <summary>
/// <c>mlp --rounds R</c>: the local loop at each thread count, interleaved round by round so
/// that every thread count sees the same moments of a machine whose speed drifts (a shared
/// cloud host: the bare FMA rate of one core was seen to move between 125 and 223 GFLOP/s
/// within minutes). Each round first measures that bare rate on 1 and on the largest thread
/// count (independent Vector512/Vector256 FMA chains, no memory traffic), so that the step's
/// thread ratio can be read against what the cores gave at that moment. Prints one line per
/// measurement and a summary with medians.
/// </summary>
internal static class MlpRounds
{
    public static int Run(int[] threads, int rounds, double seconds, TrainingOptions options, IDataSet data)
    {
        var trainers = threads.Select(t => (Threads: t, Backend: new CpuBackend(t))).Select(x => (x.Threads, x.Backend, Trainer: new LocalTrainer(ModelPresets.MnistMlp(), options, x.Backend))).ToArray();
        try
        {
            foreach (var (_, _, trainer) in trainers)
            {
                var warmUp = Stopwatch.StartNew();
                while (warmUp.Elapsed.TotalSeconds < 1.5)
                {
                    trainer.TrainStep(data);
                }
            }

            int most = threads.Max();
            var rates = threads.ToDictionary(t => t, _ => new List<double>());
            var peaks = new Dictionary<int, List<double>> { [1] = [], [most] = [] };
            var stepRatios = new List<double>();
            var peakRatios = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                foreach (int t in peaks.Keys)
                {
                    double gflops = FmaPeak(t, 0.25);
                    peaks[t].Add(gflops);
                    Console.WriteLine(Invariant($"case=fma_peak round={round} threads={t} gflops={gflops:F1}"));
                }

                foreach (var (t, _, trainer) in trainers)
                {
                    TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    long steps = 0;
                    while (clock.Elapsed.TotalSeconds < seconds)
                    {
                        trainer.TrainStep(data);
                        steps++;
                    }

                    double elapsed = clock.Elapsed.TotalSeconds;
                    double cores = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds / elapsed;
                    double rate = steps * options.BatchSize / elapsed;
                    rates[t].Add(rate);
                    Console.WriteLine(Invariant($"case=mlp_round round={round} threads={t} steps={steps} ms_per_step={elapsed * 1000 / steps:F3} samples_per_s={rate:F0} cores_busy={cores:F2}"));
                }

                if (rates.ContainsKey(1) && most > 1)
                {
                    stepRatios.Add(rates[most][^1] / rates[1][^1]);
                    peakRatios.Add(peaks[most][^1] / peaks[1][^1]);
                }
            }

            foreach (int t in threads)
            {
                Console.WriteLine(Invariant($"case=mlp_summary threads={t} rounds={rounds} median_samples_per_s={Median(rates[t]):F0} min={rates[t].Min():F0} max={rates[t].Max():F0}"));
            }

            if (stepRatios.Count > 0)
            {
                Console.WriteLine(Invariant(
                    $"case=mlp_summary threads={most}:1 median_step_ratio={Median(stepRatios):F2} min={stepRatios.Min():F2} max={stepRatios.Max():F2} median_fma_peak_ratio={Median(peakRatios):F2} median_fma_peak_1={Median(peaks[1]):F1} median_fma_peak_{most}={Median(peaks[most]):F1}"));
            }

            return 0;
        }
        finally
        {
            foreach (var (_, backend, trainer) in trainers)
            {
                trainer.Dispose();
                backend.Dispose();
            }
        }
    }

    /// <summary>GFLOP/s of <paramref name="threads"/> threads each running 12 independent FMA chains for about <paramref name="seconds"/>.</summary>
    private static double FmaPeak(int threads, double seconds)
    {
        long flopsPerIteration = Vector512.IsHardwareAccelerated ? 12 * 16 * 2 : 12 * 8 * 2;
        var counts = new long[threads];
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            counts[i] = Vector512.IsHardwareAccelerated ? Chains512(seconds) : Chains256(seconds);
        })).ToArray();
        foreach (Thread w in workers)
        {
            w.Start();
        }

        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        foreach (Thread w in workers)
        {
            w.Join();
        }

        return counts.Sum() * flopsPerIteration / clock.Elapsed.TotalSeconds / 1e9;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Chains512(double seconds)
    {
        var b = Vector512.Create(1.0000001f);
        var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        long until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        long iterations = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            for (int i = 0; i < 4096; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, b, c); a1 = Vector512.FusedMultiplyAdd(a1, b, c); a2 = Vector512.FusedMultiplyAdd(a2, b, c);
                a3 = Vector512.FusedMultiplyAdd(a3, b, c); a4 = Vector512.FusedMultiplyAdd(a4, b, c); a5 = Vector512.FusedMultiplyAdd(a5, b, c);
                a6 = Vector512.FusedMultiplyAdd(a6, b, c); a7 = Vector512.FusedMultiplyAdd(a7, b, c); a8 = Vector512.FusedMultiplyAdd(a8, b, c);
                a9 = Vector512.FusedMultiplyAdd(a9, b, c); a10 = Vector512.FusedMultiplyAdd(a10, b, c); a11 = Vector512.FusedMultiplyAdd(a11, b, c);
            }

            iterations += 4096;
        }

        GC.KeepAlive(Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11));
        return iterations;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Chains256(double seconds)
    {
        var b = Vector256.Create(1.0000001f);
        var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        long until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        long iterations = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            for (int i = 0; i < 4096; i++)
            {
                a0 = Vector256.FusedMultiplyAdd(a0, b, c); a1 = Vector256.FusedMultiplyAdd(a1, b, c); a2 = Vector256.FusedMultiplyAdd(a2, b, c);
                a3 = Vector256.FusedMultiplyAdd(a3, b, c); a4 = Vector256.FusedMultiplyAdd(a4, b, c); a5 = Vector256.FusedMultiplyAdd(a5, b, c);
                a6 = Vector256.FusedMultiplyAdd(a6, b, c); a7 = Vector256.FusedMultiplyAdd(a7, b, c); a8 = Vector256.FusedMultiplyAdd(a8, b, c);
                a9 = Vector256.FusedMultiplyAdd(a9, b, c); a10 = Vector256.FusedMultiplyAdd(a10, b, c); a11 = Vector256.FusedMultiplyAdd(a11, b, c);
            }

            iterations += 4096;
        }

        GC.KeepAlive(Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11));
        return iterations;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
