using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Models;

/// <summary>
/// The hooks a distributed worker overlaps its transfers with: weights asked for layer by
/// layer just before each forward, gradients handed out layer by layer (last first) as soon as
/// they are final — without changing a bit of the result.
/// </summary>
public sealed class ComputeHooksTests
{
    public static TheoryData<string> Models => ["mlp-l2", "cnn"];

    [Theory]
    [MemberData(nameof(Models))]
    public void LayersAreAnnouncedInOrderAndEachGradientRangeIsFinalWhenReported(string model)
    {
        ModelSpec spec = model == "cnn"
            ? new ModelSpec([8, 8, 1], [new Conv2DSpec(4, 3, 1, PaddingKind.Same, ActivationKind.Relu), new MaxPool2DSpec(2), new FlattenSpec(), new DenseSpec(6, ActivationKind.Relu), new DropoutSpec(0.25f), new DenseSpec(3)], LossKind.SoftmaxCrossEntropy)
            : new ModelSpec([20], [new DenseSpec(16, ActivationKind.Relu, KernelRegularizer: new Regularizer(0.01f, 0.02f)), new DenseSpec(12, ActivationKind.Tanh), new DenseSpec(5)], LossKind.SoftmaxCrossEntropy);
        InMemoryDataSet data = SyntheticData.Prototypes(200, spec.InputSize, spec.Layers[^1] is DenseSpec last ? last.Units : 0, 0.5f, seed: 5);
        var plan = new BatchPlan(data.Count, 48, 8, 3);
        float[] weights = ParameterInitializer.Initialize(spec, 2);
        using var backend = new CpuBackend(2);
        using var plain = new ModelReplica(spec, backend);
        using var hooked = new ModelReplica(spec, backend);
        plain.SetWeights(weights);
        hooked.SetWeights(weights);

        // Three micro-shards: two partials (cover nodes), so every range must be final in both.
        float[][] expected = [.. plain.ComputeGradientSums(data, plan, 4, 1, 3).Partials.Select(p => p.Gradient.ToArray())];
        var forwards = new List<(int Layer, int Offset, int Count)>();
        var ready = new List<(int Layer, int Offset, int Count)>();
        IReadOnlyList<DevicePartialGradient>? partials = null;
        var snapshots = new List<float[][]>();
        var hooks = new ComputeHooks
        {
            BeforeForward = (l, offset, count) => forwards.Add((l, offset, count)),
            Partials = p => partials = p,
            GradientReady = (l, offset, count) =>
            {
                ready.Add((l, offset, count));
                snapshots.Add([.. partials!.Select(p => p.Gradient.Slice(offset, count).ToArray())]);
            },
        };
        DeviceGradients result = hooked.ComputeGradientSums(data, plan, 4, 1, 3, hooked.Weights, hooks);

        Assert.Equal(Enumerable.Range(0, spec.Layers.Count), forwards.Select(f => f.Layer));
        Assert.Equal(hooked.Layout.Total, forwards.Sum(f => f.Count));
        Assert.Equal(forwards.Where(f => f.Count > 0).Reverse(), ready); // backward order, layers with parameters only
        Assert.Equal(2, result.Partials.Count);
        for (int p = 0; p < result.Partials.Count; p++)
        {
            SyntheticData.AssertBitIdentical(expected[p], result.Partials[p].Gradient.ToArray(), $"partial {p}");
            for (int i = 0; i < ready.Count; i++)
            {
                SyntheticData.AssertBitIdentical(expected[p].AsSpan(ready[i].Offset, ready[i].Count).ToArray(), snapshots[i][p], $"layer {ready[i].Layer} of partial {p} when reported");
            }
        }
    }
}
