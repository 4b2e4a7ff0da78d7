using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Tests.Data;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Models;

/// <summary>
/// The image presets read small synthetic files in the real formats (IDX for MNIST and
/// Fashion-MNIST, CIFAR-10 binary batches) and fit them: a few SGD steps on one batch lower the loss.
/// </summary>
public sealed class CnnPresetTests
{
    public static TheoryData<string> IdxPresets => new() { "mnist-cnn", "fashion-mlp", "fashion-cnn" };

    [Theory]
    [MemberData(nameof(IdxPresets))]
    public void IdxPresetsFitASmallSyntheticIdxFile(string preset)
    {
        using var directory = new TempDirectory();
        var (images, labels) = DataFiles.Mnist(8, 28, 28);
        File.WriteAllBytes(directory.File("images-idx3-ubyte.gz"), DataFiles.Gzip(images));
        File.WriteAllBytes(directory.File("labels-idx1-ubyte"), labels);
        InMemoryDataSet data = MnistFormat.Load(directory.File("images-idx3-ubyte.gz"), directory.File("labels-idx1-ubyte"));
        ModelSpec spec = preset switch
        {
            "mnist-cnn" => ModelPresets.MnistCnn(),
            "fashion-mlp" => ModelPresets.FashionMlp(),
            _ => ModelPresets.FashionCnn(),
        };
        AssertFits(spec, data);
    }

    [Fact]
    public void Cifar10CnnFitsASmallSyntheticBinaryBatch()
    {
        using var directory = new TempDirectory();
        File.WriteAllBytes(directory.File("data_batch_1.bin"), DataFiles.Cifar([.. Enumerable.Range(0, 8).Select(i => (byte)(i % 10))]));
        InMemoryDataSet data = Cifar10Format.Load([directory.File("data_batch_1.bin")]);
        AssertFits(ModelPresets.Cifar10Cnn(), data);
    }

    [Fact]
    public void TheMnistCnnIsTwoConvPoolBlocksThenDenseAndSoftmax()
    {
        ModelSpec spec = ModelPresets.MnistCnn();
        Assert.Equal([28, 28, 1], spec.InputShape);
        Assert.Equal(2, spec.Layers.OfType<Conv2DSpec>().Count(c => c.KernelSize == 3 && c.Padding == PaddingKind.Same && c.Activation == ActivationKind.Relu));
        Assert.Equal(2, spec.Layers.OfType<MaxPool2DSpec>().Count());
        Assert.Equal(new DenseSpec(10, ActivationKind.Softmax), spec.Layers[^1]);
        Assert.Equal([7, 7, 64], spec.CreateLayers()[3].OutputShape);
    }

    /// <summary>The data fit the preset's input and output, and five full-batch steps lower the training loss.</summary>
    private static void AssertFits(ModelSpec spec, IDataSet data)
    {
        Assert.Equal(spec.InputSize, data.InputSize);
        Assert.Equal(spec.OutputSize, data.TargetSize);
        var options = new TrainingOptions(data.Count, 1, new OptimizerSpec(0.05f, Momentum: 0.9f), MicroShards: 4, Seed: 3, Shuffle: false);
        using var backend = new CpuBackend();
        using var trainer = new LocalTrainer(spec, options, backend);
        double first = trainer.Evaluate(data).Loss;
        for (int i = 0; i < 5; i++)
        {
            Assert.False(trainer.TrainStep(data).Skipped);
        }

        double last = trainer.Evaluate(data).Loss;
        Assert.True(last < first, $"{spec.InputShape.Count}-d preset: loss {first} → {last} after 5 steps.");
    }
}
