using DistTrain.Grains;
using DistTrain.Kernels.Models;

namespace DistTrain.Client.Train;

/// <summary>The presets of <c>disttrain train --preset</c>.</summary>
public static class TrainingPresets
{
    /// <summary>
    /// The course's MNIST MLP, 784-512-256-10 ReLU with softmax cross-entropy. Momentum SGD
    /// with a cosine decay over the whole run reaches 96-97% on the 2,000 held-out digits of
    /// the 10,000-digit set within 10 epochs (see README for the measured run).
    /// </summary>
    public static TrainingPreset MnistMlp { get; } = new(
        "mnist-mlp",
        "MLP 784-512-256-10 (ReLU, softmax cross-entropy) on MNIST",
        _ => ModelPresets.MnistMlp().ToJson(),
        new DataSetReference("mnist"),
        Epochs: 10,
        BatchSize: 64,
        MicroShards: 8,
        new OptimizerSettings(0.05f, Momentum: 0.9f, Schedule: new ScheduleSettings(ScheduleKind.Cosine)),
        ValidationSplit: 0.1);

    /// <summary>y = wx + b fitted by mean squared error on a CSV file (<c>--csv</c>, <c>--target</c>).</summary>
    public static TrainingPreset LinearRegression { get; } = new(
        "linear-regression",
        "Linear regression y = w·x + b (MSE) on a CSV file",
        features => ModelPresets.LinearRegression(features).ToJson(),
        new DataSetReference("csv"),
        Epochs: 40,
        BatchSize: 32,
        MicroShards: 4,
        new OptimizerSettings(0.05f, Momentum: 0.9f),
        ValidationSplit: 0);

    /// <summary>Every preset, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<TrainingPreset> All { get; } = [MnistMlp, LinearRegression];
}
