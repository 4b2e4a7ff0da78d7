using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Onnx;
using DistTrain.Kernels.Tests.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DistTrain.Kernels.Tests.Onnx;

/// <summary>Exported graphs run through ONNX Runtime give DistTrain's own predictions.</summary>
public sealed class OnnxExportTests
{
    public static TheoryData<string> Presets => ["mnist-mlp", "mnist-cnn", "fashion-mlp", "fashion-cnn", "cifar10-cnn"];

    [Theory]
    [MemberData(nameof(Presets))]
    public void APresetRunThroughOnnxRuntimeGivesDistTrainsPredictionsOnAThousandInputs(string preset)
    {
        ModelSpec spec = preset switch
        {
            "mnist-mlp" => ModelPresets.MnistMlp(),
            "mnist-cnn" => ModelPresets.MnistCnn(),
            "fashion-mlp" => ModelPresets.FashionMlp(),
            "fashion-cnn" => ModelPresets.FashionCnn(),
            _ => ModelPresets.Cifar10Cnn(),
        };

        AssertSamePredictions(spec, rows: 1000, seed: 1, new OnnxExportOptions());
    }

    [Fact]
    public void StridedSamePaddingAveragePoolingUpSamplingAndEveryActivationExportExactly()
    {
        // Odd sizes, stride 2 with TensorFlow's same padding (the odd cell at the end), average
        // pooling over padding, nearest up-sampling, tanh and sigmoid, and a binary cross-entropy output.
        var spec = new ModelSpec(
            [9, 7, 2],
            [
                new Conv2DSpec(5, new Size2D(3, 2), new Size2D(2, 2), PaddingKind.Same, ActivationKind.Tanh),
                new AvgPool2DSpec(new Size2D(2, 3), new Size2D(1, 2), PaddingKind.Same),
                new UpSampling2DSpec(new Size2D(2, 3)),
                new MaxPool2DSpec(new Size2D(3, 3), new Size2D(2, 2), PaddingKind.Same),
                new Conv2DSpec(4, 1, Activation: ActivationKind.Sigmoid),
                new DropoutSpec(0.5f),
                new FlattenSpec(),
                new DenseSpec(6, ActivationKind.Relu),
                new DenseSpec(3, ActivationKind.Sigmoid),
            ],
            LossKind.BinaryCrossEntropy);

        AssertSamePredictions(spec, rows: 300, seed: 2, new OnnxExportOptions());
    }

    [Fact]
    public void WithoutTheOutputActivationTheGraphGivesTheLogits()
    {
        var spec = new ModelSpec([6], [new DenseSpec(8, ActivationKind.Relu), new DenseSpec(4, ActivationKind.Softmax)], LossKind.SoftmaxCrossEntropy);
        float[] weights = Weights(spec, 3);
        float[] inputs = Inputs(50 * 6, 3);
        using var backend = new CpuBackend(1);
        using var replica = new ModelReplica(spec, backend);
        replica.SetWeights(weights);
        float[] probabilities = replica.Predict(inputs, 50);

        float[] logits = Run(OnnxExporter.Export(spec, weights, new OnnxExportOptions { OutputActivation = false }), spec, inputs, 50);

        for (int r = 0; r < 50; r++)
        {
            double max = Enumerable.Range(0, 4).Max(j => logits[(r * 4) + j]);
            double sum = Enumerable.Range(0, 4).Sum(j => Math.Exp(logits[(r * 4) + j] - max));
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(probabilities[(r * 4) + j], Math.Exp(logits[(r * 4) + j] - max) / sum, 5);
            }
        }
    }

    [Fact]
    public void SavingWritesAFileOnnxRuntimeLoadsAndBadWeightsAreRefused()
    {
        using var dir = new TempDirectory();
        var spec = new ModelSpec([4], [new DenseSpec(3)], LossKind.MeanSquaredError);
        string path = dir.File("model.onnx");

        OnnxExporter.Save(path, spec, Weights(spec, 4));
        using var session = new InferenceSession(path);

        Assert.Equal("input", session.InputMetadata.Keys.Single());
        Assert.Equal([-1, 4], session.InputMetadata["input"].Dimensions);
        Assert.Equal([-1, 3], session.OutputMetadata["output"].Dimensions);
        Assert.Contains("15 parameters", Assert.Throws<ArgumentException>(() => OnnxExporter.Export(spec, new float[3])).Message);
    }

    private static void AssertSamePredictions(ModelSpec spec, int rows, int seed, OnnxExportOptions options)
    {
        float[] weights = Weights(spec, seed);
        float[] inputs = Inputs(rows * spec.InputSize, seed);
        using var backend = new CpuBackend(2);
        using var replica = new ModelReplica(spec, backend);
        replica.SetWeights(weights);
        float[] expected = replica.Predict(inputs, rows);

        float[] actual = Run(OnnxExporter.Export(spec, weights, options), spec, inputs, rows);

        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-5 * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"output {i} (row {i / spec.OutputSize}): DistTrain {expected[i]:R}, ONNX Runtime {actual[i]:R}.");
        }
    }

    private static float[] Run(byte[] model, ModelSpec spec, float[] inputs, int rows)
    {
        using var session = new InferenceSession(model);
        var tensor = new DenseTensor<float>(inputs, [rows, .. spec.InputShape]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", tensor)]);
        var output = results.Single(r => r.Name == "output").AsTensor<float>();
        Assert.Equal([rows, .. spec.OutputShape], output.Dimensions.ToArray());
        return [.. output];
    }

    /// <summary>Initialised weights with random, non-zero biases (so every bias is checked).</summary>
    private static float[] Weights(ModelSpec spec, int seed)
    {
        float[] weights = ParameterInitializer.Initialize(spec, (ulong)seed);
        var random = new Random(seed);
        foreach (ParameterEntry entry in ParameterLayout.For(spec).Entries.Where(e => e.Name.EndsWith("/bias", StringComparison.Ordinal)))
        {
            for (int i = 0; i < entry.Length; i++)
            {
                weights[entry.Offset + i] = (float)(random.NextDouble() - 0.5) * 0.2f;
            }
        }

        return weights;
    }

    private static float[] Inputs(int count, int seed)
    {
        var random = new Random(seed + 100);
        return [.. Enumerable.Range(0, count).Select(_ => (float)random.NextDouble())];
    }
}
