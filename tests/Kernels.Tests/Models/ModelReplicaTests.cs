using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Backends.IlGpu;
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
    public void BorrowedWeightsGiveTheSameBitsAsTheReplicasOwnAndLeaveThemAlone()
    {
        // A worker computes straight from a parameter-server slice's memory (another backend's host buffer).
        var spec = Spec with { Layers = [new DenseSpec(16, ActivationKind.Relu, KernelRegularizer: new Regularizer(0.01f, 0.02f)), new DenseSpec(5)] };
        InMemoryDataSet data = SyntheticData.Prototypes(300, 20, 5, 0.5f, seed: 3);
        var plan = new BatchPlan(data.Count, 64, 8, 9);
        float[] weights = ParameterInitializer.Initialize(spec, 6);
        float[] stale = ParameterInitializer.Initialize(spec, 7);
        using var backend = new CpuBackend(2);
        using var server = new CpuBackend(1);
        using var own = new ModelReplica(spec, backend);
        using var borrower = new ModelReplica(spec, backend);
        using DeviceBuffer slice = server.Allocate(own.Layout.Total);
        own.SetWeights(weights);
        borrower.SetWeights(stale);
        slice.Upload(weights);

        DeviceGradients expected = own.ComputeGradientSums(data, plan, 5, 2, 6);
        float[][] expectedSums = [.. expected.Partials.Select(p => p.Gradient.ToArray())];
        DeviceGradients actual = borrower.ComputeGradientSums(data, plan, 5, 2, 6, slice.All);

        Assert.Equal(expected.Partials.Select(p => p.Node), actual.Partials.Select(p => p.Node));
        for (int i = 0; i < expectedSums.Length; i++)
        {
            SyntheticData.AssertBitIdentical(expectedSums[i], actual.Partials[i].Gradient.ToArray(), $"partial {i}");
        }

        Assert.Equal(expected.LossSum, actual.LossSum);
        Assert.Equal(expected.Correct, actual.Correct);
        SyntheticData.AssertBitIdentical(stale, borrower.GetWeights(), "the borrower's own weights");
        SyntheticData.AssertBitIdentical(weights, slice.ToArray(), "the borrowed weights");

        var wrongLength = Assert.Throws<ArgumentException>(() => borrower.ComputeGradientSums(data, plan, 5, 2, 6, slice.Slice(0, 10)));
        Assert.Contains($"Expected {own.Layout.Total} weights", wrongLength.Message);
        using var emulator = IlGpuBackend.CreateCpuEmulator();
        using DeviceBuffer foreign = emulator.Allocate(own.Layout.Total);
        var wrongMemory = Assert.Throws<ArgumentException>(() => borrower.ComputeGradientSums(data, plan, 5, 2, 6, foreign.All));
        Assert.Contains("memory", wrongMemory.Message);
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
