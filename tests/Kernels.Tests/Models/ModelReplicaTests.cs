using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Models;

public sealed class ModelReplicaTests
{
    private static readonly ModelSpec Spec = new(
        [20],
        [new DenseSpec(16, ActivationKind.Relu), new DenseSpec(12, ActivationKind.Tanh), new DenseSpec(5)],
        LossKind.SoftmaxCrossEntropy);

    [Fact]
    public void AllMicroShardsAtOnceEqualTheTreeSumOfAnySplitComputedSeparately()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(300, 20, 5, 0.5f, seed: 1);
        var plan = new BatchPlan(data.Count, 64, 8, 9);
        float[] weights = ParameterInitializer.Initialize(Spec, 4);
        using var backend = new CpuBackend(2);
        using var whole = new ModelReplica(Spec, backend);
        using var worker = new ModelReplica(Spec, backend);
        whole.SetWeights(weights);
        worker.SetWeights(weights);

        foreach (int[] split in new[] { new[] { 0, 4, 8 }, [0, 1, 8], [0, 3, 5, 6, 8], [0, 1, 2, 3, 4, 5, 6, 7, 8] })
        {
            ShardGradients all = whole.ComputeGradients(data, plan, 7, 0, 8);
            var reducer = new TreeReducer(8, whole.Layout.Total);
            double loss = 0;
            for (int i = split.Length - 2; i >= 0; i--)
            {
                ShardGradients part = worker.ComputeGradients(data, plan, 7, split[i], split[i + 1] - split[i]);
                Assert.Equal(MicroShardTree.Cover(split[i], split[i + 1] - split[i], 8), part.Partials.Select(p => p.Node));
                foreach (PartialGradient partial in part.Partials)
                {
                    Assert.True(reducer.Add(partial.Node, partial.Gradient));
                }

                loss += part.LossSum;
            }

            PartialGradient root = Assert.Single(all.Partials);
            Assert.Equal(new TreeNode(3, 0), root.Node);
            SyntheticData.AssertBitIdentical(root.Gradient, reducer.Root, $"split {string.Join(",", split)}");
            Assert.Equal(all.LossSum, loss, 4);
            Assert.Equal(64, all.Samples);
        }
    }

    [Fact]
    public void GradientsAreIdenticalWithOneAndTwoThreadsAndTwiceInARow()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(300, 20, 5, 0.5f, seed: 2);
        var plan = new BatchPlan(data.Count, 64, 8, 9);
        float[] weights = ParameterInitializer.Initialize(Spec, 5);
        var results = new List<float[]>();
        foreach (int threads in new[] { 1, 2, 2 })
        {
            using var backend = new CpuBackend(threads);
            using var replica = new ModelReplica(Spec, backend);
            replica.SetWeights(weights);
            results.Add(replica.ComputeGradients(data, plan, 3, 2, 6).Partials.SelectMany(p => p.Gradient).ToArray());
        }

        SyntheticData.AssertBitIdentical(results[0], results[1], "1 vs 2 threads");
        SyntheticData.AssertBitIdentical(results[1], results[2], "twice with 2 threads");
    }

    [Fact]
    public void PredictGivesProbabilitiesAndEvaluateAveragesLossAndAccuracy()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(50, 20, 5, 0.5f, seed: 3);
        using var backend = new CpuBackend(1);
        using var replica = new ModelReplica(Spec, backend);
        replica.SetWeights(ParameterInitializer.Initialize(Spec, 6));

        float[] p = replica.Predict(data.Inputs, data.Count);
        EvaluationResult result = replica.Evaluate(data, batchSize: 16, topK: 2);

        double loss = 0;
        int correct = 0;
        int top2 = 0;
        for (int r = 0; r < data.Count; r++)
        {
            float[] row = p.AsSpan(r * 5, 5).ToArray();
            Assert.Equal(1.0, row.Sum(), 5);
            int target = data.Targets.Slice(r * 5, 5).IndexOf(1f);
            loss -= Math.Log(row[target]);
            correct += Array.IndexOf(row, row.Max()) == target ? 1 : 0;
            top2 += row.Count(v => v > row[target]) < 2 ? 1 : 0;
        }

        Assert.Equal(50, result.Samples);
        Assert.Equal(loss / 50, result.Loss, 4);
        Assert.Equal(correct / 50.0, result.Accuracy, 10);
        Assert.Equal(top2 / 50.0, result.TopKAccuracy, 10);
        Assert.Equal(2, result.TopK);
    }

    [Fact]
    public void DataThatDoesNotFitTheModelIsRejectedWithBothSizes()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(64, 21, 5, 0.5f, seed: 3);
        using var backend = new CpuBackend(1);
        using var replica = new ModelReplica(Spec, backend);

        var ex = Assert.Throws<ArgumentException>(() => replica.ComputeGradients(data, new BatchPlan(64, 64, 8, 0), 0, 0, 8));

        Assert.Contains("21 input floats", ex.Message, StringComparison.Ordinal);
        Assert.Contains("20 inputs", ex.Message, StringComparison.Ordinal);
    }
}
