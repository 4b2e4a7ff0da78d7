using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Tests.Data;
using DistTrain.Kernels.Tests.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Training;

/// <summary>k-fold cross-validation and the top-k accuracy in the training history.</summary>
public sealed class CrossValidationTests
{
    private static readonly ModelSpec Spec = new([12], [new DenseSpec(16, ActivationKind.Relu), new DenseSpec(4)], LossKind.SoftmaxCrossEntropy);

    [Fact]
    public void FoldsPartitionTheSamplesAndEachIsHeldOutOnce()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(23, 12, 4, 0.3f, seed: 1);
        float[] all = DataFiles.ReadAll(data).Inputs;
        var heldOut = new List<float>();
        for (int k = 0; k < 5; k++)
        {
            var (train, validation) = CrossValidation.Split(data, k, 5);
            float[] held = DataFiles.ReadAll(validation).Inputs;
            float[] rest = DataFiles.ReadAll(train).Inputs;
            Assert.Equal(all.Length, held.Length + rest.Length);
            Assert.InRange(validation.Count, 4, 5);

            // The training rows are the others, in their original order.
            int start = heldOut.Count;
            Assert.Equal([.. all[..start], .. all[(start + held.Length)..]], rest);
            heldOut.AddRange(held);
        }

        Assert.Equal(all, heldOut);
    }

    [Fact]
    public void EachFoldTrainsAFreshModelAndTheSummaryIsTheMeanAndStdOfTheFolds()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(120, 12, 4, 0.3f, seed: 2);
        var options = new TrainingOptions(20, 4, new OptimizerSpec(0.1f, 0.9f), MicroShards: 4, Seed: 3, TopK: 2);
        using var backend = new CpuBackend(1);
        var epochs = new List<(int Fold, EpochMetrics Metrics)>();
        CrossValidationResult result = CrossValidation.Run(Spec, options, data, 3, backend, (k, m) => epochs.Add((k, m)));

        Assert.Equal(3, result.Folds.Count);
        Assert.Equal(12, epochs.Count);
        Assert.All(result.Folds, f => Assert.Equal(40, f.ValidationSamples));
        Assert.All(result.Folds, f => Assert.True(f.Validation.Accuracy > 0.8, $"fold {f.Fold}: accuracy {f.Validation.Accuracy}"));
        double[] accuracies = [.. result.Folds.Select(f => f.Validation.Accuracy)];
        double mean = accuracies.Average();
        Assert.Equal(mean, result.Accuracy.Mean, 12);
        Assert.Equal(Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / 2), result.Accuracy.StdDev, 12);
        Assert.StartsWith("3 folds: loss ", result.Describe(), StringComparison.Ordinal);

        // Fold 0 equals a plain run on the same split: the same initial weights and settings.
        var (train, validation) = CrossValidation.Split(data, 0, 3);
        using var trainer = new LocalTrainer(Spec, options, backend);
        trainer.Fit(train, validation);
        Assert.Equal(trainer.Evaluate(validation), result.Folds[0].Validation);
    }

    [Fact]
    public void TheHistoryReportsTopKAccuracyBesideAccuracy()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(80, 12, 4, 1.5f, seed: 4);
        var options = new TrainingOptions(20, 2, new OptimizerSpec(0.05f), MicroShards: 4, Seed: 5, ValidationSplit: 0.25, TopK: 2);
        using var backend = new CpuBackend(1);
        using var trainer = new LocalTrainer(Spec, options, backend);
        History history = trainer.Fit(data);
        EvaluationResult validation = trainer.Evaluate(new DataSetRange(data, 60, 20));
        Assert.Equal(2, validation.TopK);
        Assert.Equal(validation.TopKAccuracy, history.Epochs[^1]["val_top_k_accuracy"]);
        Assert.All(history.Epochs, e => Assert.True(e.ValidationTopKAccuracy >= e.ValidationAccuracy));
        Assert.Throws<ArgumentException>(() => (options with { TopK = 0 }).Validate());
    }
}
