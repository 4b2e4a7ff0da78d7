using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Backends.IlGpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Models;

/// <summary>A small CNN with dropout in a <see cref="ModelReplica"/>: distribution invariance, backends, training-only dropout.</summary>
public sealed class CnnReplicaTests
{
    private static readonly ModelSpec Spec = new(
        [9, 7, 2],
        [
            new Conv2DSpec(4, 3, 1, PaddingKind.Same, ActivationKind.Relu),
            new MaxPool2DSpec(2, 2, PaddingKind.Same),
            new Conv2DSpec(5, 3, 2, PaddingKind.Valid, ActivationKind.Tanh, KernelRegularizer: new Regularizer(0.001f, 0.002f)),
            new UpSampling2DSpec(2),
            new AvgPool2DSpec(3, 2, PaddingKind.Same),
            new FlattenSpec(),
            new DropoutSpec(0.3f),
            new DenseSpec(6, ActivationKind.Relu),
            new DropoutSpec(0.2f),
            new DenseSpec(4, ActivationKind.Softmax),
        ],
        LossKind.SoftmaxCrossEntropy);

    [Fact]
    public void WithDropoutOnTheTreeSumIsBitIdenticalForOneTwoAndFourWorkers()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(96, Spec.InputSize, 4, 0.5f, seed: 11);
        var plan = new BatchPlan(data.Count, 32, 8, 21);
        float[] weights = ParameterInitializer.Initialize(Spec, 6);
        using var backend = new CpuBackend(2);
        float[]? expected = null;
        double expectedLoss = 0;
        foreach (int workers in new[] { 1, 2, 4 })
        {
            var reducer = new TreeReducer(8, ParameterLayout.For(Spec).Total);
            double loss = 0;
            int shards = 8 / workers;

            // Each worker its own replica, as on separate machines; the later ones first, to show order does not matter.
            for (int w = workers - 1; w >= 0; w--)
            {
                using var replica = new ModelReplica(Spec, backend);
                replica.SetWeights(weights);
                ShardGradients part = replica.ComputeGradients(data, plan, 5, w * shards, shards);
                foreach (PartialGradient partial in part.Partials)
                {
                    Assert.True(reducer.Add(partial.Node, partial.Gradient));
                }

                loss += part.LossSum;
            }

            Assert.True(reducer.IsComplete);
            if (expected is null)
            {
                expected = reducer.Root;
                expectedLoss = loss;
            }
            else
            {
                SyntheticData.AssertBitIdentical(expected, reducer.Root, $"{workers} workers");
                Assert.Equal(expectedLoss, loss, 6);
            }
        }
    }

    [Fact]
    public void DropoutChangesTheGradientFromStepToStepButNotBetweenRunsOfTheSameStep()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(32, Spec.InputSize, 4, 0.5f, seed: 12);
        var plan = new BatchPlan(data.Count, 32, 4, 3);
        float[] weights = ParameterInitializer.Initialize(Spec, 7);
        using var backend = new CpuBackend(1);
        using var replica = new ModelReplica(Spec, backend);
        replica.SetWeights(weights);

        // Step 0 and step 1 are the same samples (one step per epoch) but different masks.
        float[] first = Gradient(replica.ComputeGradients(data, plan, 0, 0, 4));
        float[] again = Gradient(replica.ComputeGradients(data, plan, 0, 0, 4));
        SyntheticData.AssertBitIdentical(first, again, "same step twice");
        var noDropout = Spec with { Layers = [.. Spec.Layers.Where(l => l is not DropoutSpec)] };
        Assert.Equal(ParameterLayout.For(Spec), ParameterLayout.For(noDropout));
        using var plain = new ModelReplica(noDropout, backend);
        plain.SetWeights(weights);
        Assert.False(first.AsSpan().SequenceEqual(Gradient(plain.ComputeGradients(data, plan, 0, 0, 4))), "dropout had no effect in training");
    }

    [Fact]
    public void EvaluationAndPredictionIgnoreDropout()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(20, Spec.InputSize, 4, 0.5f, seed: 13);
        float[] weights = ParameterInitializer.Initialize(Spec, 8);
        var noDropout = Spec with { Layers = [.. Spec.Layers.Where(l => l is not DropoutSpec)] };
        using var backend = new CpuBackend(1);
        using var withDropout = new ModelReplica(Spec, backend);
        using var without = new ModelReplica(noDropout, backend);
        withDropout.SetWeights(weights);
        without.SetWeights(weights);
        Assert.Equal(without.Evaluate(data, 7), withDropout.Evaluate(data, 7));
        float[] inputs = data.Inputs.ToArray();
        Assert.Equal(without.Predict(inputs, data.Count), withDropout.Predict(inputs, data.Count));
    }

    [Fact]
    public void TheIlGpuKernelsGiveTheCpuGradientsWithinRounding() =>
        AssertIlGpuGradientsMatchCpu(Spec, dataSeed: 14, planSeed: 5, weightSeed: 9, step: 2);

    /// <summary>
    /// Gradients of two micro-shards of 8 synthetic samples through <paramref name="spec"/>:
    /// ILGPU's kernels (CPU emulator) against the CPU backend, within 1e-4 of the largest element.
    /// </summary>
    internal static void AssertIlGpuGradientsMatchCpu(ModelSpec spec, int dataSeed, ulong planSeed, ulong weightSeed, long step)
    {
        InMemoryDataSet data = SyntheticData.Prototypes(16, spec.InputSize, 4, 0.5f, seed: dataSeed);
        var plan = new BatchPlan(data.Count, 16, 2, planSeed);
        float[] weights = ParameterInitializer.Initialize(spec, weightSeed);
        using var cpu = new CpuBackend(1);
        using var gpu = IlGpuBackend.CreateCpuEmulator();
        using var onCpu = new ModelReplica(spec, cpu);
        using var onGpu = new ModelReplica(spec, gpu);
        onCpu.SetWeights(weights);
        onGpu.SetWeights(weights);
        ShardGradients expected = onCpu.ComputeGradients(data, plan, step, 0, 2);
        ShardGradients actual = onGpu.ComputeGradients(data, plan, step, 0, 2);
        Assert.Equal(expected.LossSum, actual.LossSum, 3);
        float[] e = Gradient(expected), a = Gradient(actual);
        double scale = e.Max(Math.Abs);
        Assert.True(scale > 0, "the gradient is zero; the check would prove nothing");
        for (int i = 0; i < e.Length; i++)
        {
            Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4 * scale, $"element {i}: cpu {e[i]:R}, ilgpu {a[i]:R}");
        }
    }

    private static float[] Gradient(ShardGradients gradients) => Assert.Single(gradients.Partials).Gradient;
}
