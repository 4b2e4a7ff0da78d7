using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Backends.IlGpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Tests.Backends;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Models;

/// <summary>
/// Models with (height, width) kernels, pools and strides in a <see cref="ModelReplica"/> on both
/// backends: predictions against the naive convolution and pooling, gradients CPU against ILGPU.
/// </summary>
public sealed class NonSquareReplicaTests
{
    private const int Batch = 3;
    private const int Filters = 3;

    [Theory]
    [InlineData(PaddingKind.Same, true)]
    [InlineData(PaddingKind.Valid, true)]
    [InlineData(PaddingKind.Same, false)]
    [InlineData(PaddingKind.Valid, false)]
    public void PredictionsOfAConvAndPoolWithHeightWidthSizesMatchTheNaiveReference(PaddingKind padding, bool max)
    {
        // Input [7, 6, 2] → Conv2D(3, kernel 2×3, strides 2×1) → pool 1×2, strides 2×1 → Flatten.
        var pool = new Size2D(1, 2);
        var poolStrides = new Size2D(2, 1);
        LayerSpec pooling = max ? new MaxPool2DSpec(pool, poolStrides, padding) : new AvgPool2DSpec(pool, poolStrides, padding);
        var spec = new ModelSpec(
            [7, 6, 2],
            [new Conv2DSpec(Filters, new Size2D(2, 3), new Size2D(2, 1), padding), pooling, new FlattenSpec()],
            LossKind.MeanSquaredError);
        var random = new System.Random(17 + (int)padding + (max ? 2 : 0));
        float[] weights = [.. Enumerable.Range(0, ParameterLayout.For(spec).Total).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] inputs = [.. Enumerable.Range(0, Batch * spec.InputSize).Select(_ => (float)((random.NextDouble() * 2) - 1))];
        double[] expected = Reference(spec, weights, inputs, new Window2D(7, 6, 2, 2, 3, 2, 1, padding), pool, poolStrides, max);
        Assert.Equal(expected.Length, Batch * spec.OutputSize);

        using var cpu = new CpuBackend(1);
        using var gpu = IlGpuBackend.CreateCpuEmulator();
        foreach (IComputeBackend backend in new IComputeBackend[] { cpu, gpu })
        {
            using var replica = new ModelReplica(spec, backend);
            replica.SetWeights(weights);
            float[] actual = replica.Predict(inputs, Batch);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"{backend.GetType().Name} element {i}: {actual[i]:R}, naive {expected[i]:R}");
            }
        }
    }

    [Fact]
    public void TheIlGpuKernelsGiveTheCpuGradientsWithinRoundingForHeightWidthSizes()
    {
        var spec = new ModelSpec(
            [9, 7, 2],
            [
                new Conv2DSpec(4, new Size2D(3, 2), new Size2D(1, 2), PaddingKind.Same, ActivationKind.Relu),
                new MaxPool2DSpec(new Size2D(2, 1), Padding: PaddingKind.Same),
                new UpSampling2DSpec(new Size2D(1, 2)),
                new Conv2DSpec(3, new Size2D(1, 3), new Size2D(2, 1), PaddingKind.Valid, ActivationKind.Tanh),
                new AvgPool2DSpec(new Size2D(2, 3), new Size2D(1, 2), PaddingKind.Same),
                new FlattenSpec(),
                new DenseSpec(4, ActivationKind.Softmax),
            ],
            LossKind.SoftmaxCrossEntropy);
        CnnReplicaTests.AssertIlGpuGradientsMatchCpu(spec, dataSeed: 15, planSeed: 6, weightSeed: 10, step: 1);
    }

    /// <summary>Conv (kernel then bias in the layout's order) by its definition, then the pool by its definition.</summary>
    private static double[] Reference(ModelSpec spec, float[] weights, float[] inputs, Window2D conv, Size2D pool, Size2D poolStrides, bool max)
    {
        ParameterLayout layout = ParameterLayout.For(spec);
        ParameterEntry kernel = layout["conv2d_0/kernel"], bias = layout["conv2d_0/bias"];
        Assert.Equal([conv.WindowHeight, conv.WindowWidth, conv.Channels, Filters], kernel.Shape);
        (double[] convolved, _) = NaiveImageReference.Convolution(inputs, weights[kernel.Offset..(kernel.Offset + kernel.Length)], Batch, conv, Filters);
        var activations = new float[convolved.Length];
        for (int i = 0; i < activations.Length; i++)
        {
            activations[i] = (float)(convolved[i] + weights[bias.Offset + (i % Filters)]);
        }

        var window = new Window2D(conv.OutputHeight, conv.OutputWidth, Filters, pool.Height, pool.Width, poolStrides.Height, poolStrides.Width, conv.Padding);
        return NaiveImageReference.Pool(activations, Batch, window, max).Value;
    }
}
