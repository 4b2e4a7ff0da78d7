using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Models;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>
/// A small CNN with dropout over two silos: the dropout masks are a pure function of (seed,
/// layer, step, row of the global batch), so any worker count gives the local loop's bits.
/// </summary>
[Collection(TwoSiloCollection.Name)]
public sealed class CnnMultiSiloTests(TwoSiloFixture fixture)
{
    /// <summary>
    /// [8, 8, 1] → Conv2D(4, 3×3, same, relu) → MaxPool2D(2) → Dropout(0.5) → Conv2D(6, 3×3,
    /// valid, relu) → Flatten → Dropout(0.25) → Dense(10): 2,006 parameters, fast enough for 20 steps.
    /// </summary>
    private static ModelSpec SmallCnn(bool dropout = true) => new(
        [8, 8, 1],
        [
            new Conv2DSpec(4, 3, 1, PaddingKind.Same, ActivationKind.Relu),
            new MaxPool2DSpec(2),
            new DropoutSpec(dropout ? 0.5f : 0f),
            new Conv2DSpec(6, 3, 1, PaddingKind.Valid, ActivationKind.Relu),
            new FlattenSpec(),
            new DropoutSpec(dropout ? 0.25f : 0f),
            new DenseSpec(10),
        ],
        LossKind.SoftmaxCrossEntropy);

    [Fact]
    public async Task TwentyCnnStepsWithDropoutGiveBitIdenticalWeightsForOneTwoAndFourWorkersEqualToTheLocalLoop()
    {
        const int Steps = 20;
        var data = TestRuns.Data(features: 64, samples: 512);
        RunSpec Spec(int workers) => TestRuns.Spec(SmallCnn(), data, steps: Steps, workers, batch: 32);

        var runs = await Task.WhenAll(new[] { 1, 2, 4 }.Select(w => TestRuns.RunToCompletion(fixture.Grains, Spec(w), $"cnn-workers{w}")));
        float[] local = TestRuns.LocalWeights(Spec(1), Steps);

        Assert.Equal([1, 2, 4], runs.Select(r => r.Status.Workers));
        Assert.Equal([Steps, Steps, Steps], runs.Select(r => r.Status.Step));
        // Dropout is on: without it the same steps end elsewhere.
        Assert.NotEqual(TestRuns.LocalWeights(TestRuns.Spec(SmallCnn(dropout: false), data, steps: Steps, workers: 1, batch: 32), Steps), local);
        TestRuns.AssertSameBits(local, runs[0].Weights, "CNN, 1 worker");
        TestRuns.AssertSameBits(local, runs[1].Weights, "CNN, 2 workers");
        TestRuns.AssertSameBits(local, runs[2].Weights, "CNN, 4 workers over 2 silos");
    }
}
