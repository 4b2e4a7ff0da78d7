using System.Diagnostics;
using System.Globalization;
using DistTrain.Grains.Data;
using DistTrain.Grains.Runs;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Bench;

/// <summary>
/// <c>scaling-local</c> (started by <see cref="ScalingBenchmark"/> under <c>taskset</c>): the
/// local loop on the scaling case's model, batch, data and optimiser with <c>--threads</c>
/// threads; warms up for 1.5 s, measures for <c>--seconds</c>, prints <c>samples_per_s=…</c>.
/// </summary>
internal static class ScalingLocal
{
    public static int Run(string[] args)
    {
        string model = Option(args, "--model", "mlp");
        int batch = int.Parse(Option(args, "--batch", "200"), CultureInfo.InvariantCulture);
        int threads = int.Parse(Option(args, "--threads", "1"), CultureInfo.InvariantCulture);
        double seconds = double.Parse(Option(args, "--seconds", "4"), CultureInfo.InvariantCulture);
        var spec = ScalingBenchmark.Spec(new ScalingOptions([]), model, batch, 1);
        var data = SyntheticDataSets.Classification(spec.Data.Synthetic! with { Samples = batch * 16 });
        using var backend = new CpuBackend(threads);
        using var trainer = new LocalTrainer(ModelSpec.FromJson(spec.ModelSpecJson), new TrainingOptions(batch, 1, spec.Optimizer.ToSpec(), spec.MicroShards, spec.Seed), backend);
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < 1.5)
        {
            trainer.TrainStep(data);
        }

        long steps = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            trainer.TrainStep(data);
            steps++;
        }

        Console.WriteLine(FormattableString.Invariant($"samples_per_s={steps * batch / clock.Elapsed.TotalSeconds:F1}"));
        return 0;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
