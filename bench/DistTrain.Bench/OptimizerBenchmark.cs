using System.Diagnostics;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;

namespace DistTrain.Bench;

/// <summary>
/// <c>optim</c>: one fused optimiser update of the MNIST MLP's 535,818 parameters on the CPU
/// backend (what a parameter-server slice does per step), each rule against momentum SGD
/// measured in the same run, with 1 and 2 threads. Median of <c>--repeats</c> (default 200).
/// </summary>
internal static class OptimizerBenchmark
{
    /// <summary>Untimed updates first: the JIT's tiering reaches the optimised code.</summary>
    private const int Warmup = 300;

    public static int Run(string[] args)
    {
        int i = Array.IndexOf(args, "--repeats");
        int repeats = i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int r) ? r : 200;
        int length = ParameterLayout.For(ModelPresets.MnistMlp()).Total;
        (string Name, OptimizerSpec Spec)[] rules =
        [
            ("sgd-momentum", OptimizerSpec.Sgd(0.05f, 0.9f)),
            ("adam", OptimizerSpec.Adam()),
            ("adamw-amsgrad", OptimizerSpec.AdamW(amsgrad: true)),
            ("rmsprop", OptimizerSpec.RmsProp()),
            ("rmsprop-centered-momentum", OptimizerSpec.RmsProp(momentum: 0.9f, centered: true)),
            ("adagrad", OptimizerSpec.Adagrad()),
        ];
        var random = new Random(1);
        float[] w0 = [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f)];
        float[] g = [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f)];
        foreach (int threads in new[] { 1, 2 })
        {
            using var backend = new CpuBackend(threads);
            using DeviceBuffer weights = backend.Allocate(length), gradient = backend.Allocate(length);
            gradient.Upload(g);
            double? sgd = null;
            foreach (var (name, spec) in rules)
            {
                weights.Upload(w0);
                DeviceBuffer[] state = [.. spec.StateNames.Select(_ => backend.Allocate(length))];
                BufferSpan[] spans = [.. state.Select(s => s.All)];
                var decision = new StepDecision(false, 1f / 32, spec.LearningRate, 1, false);
                var ms = new double[repeats];
                for (int k = -Warmup; k < repeats; k++)
                {
                    long start = Stopwatch.GetTimestamp();
                    Optimizer.Apply(backend, weights, gradient, spans, spec, decision, k + Warmup + 1);
                    if (k >= 0)
                    {
                        ms[k] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    }
                }

                Array.Sort(ms);
                double median = ms[repeats / 2];
                sgd ??= median;
                Console.WriteLine(ScalingBenchmark.Invariant($"case=optim rule={name} threads={threads} floats={length} vectors={state.Length + 2} median_ms={median:F3} best_ms={ms[0]:F3} vs_sgd={median / sgd.Value:F2}"));
                foreach (DeviceBuffer s in state)
                {
                    s.Dispose();
                }
            }
        }

        return 0;
    }
}
