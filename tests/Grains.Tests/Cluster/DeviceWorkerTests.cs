namespace DistTrain.Grains.Tests.Cluster;

/// <summary>A worker whose engine keeps its buffers in device memory, beside the silo's CPU slices.</summary>
[Collection(EmulatedDeviceCollection.Name)]
public sealed class DeviceWorkerTests(EmulatedDeviceSiloFixture fixture)
{
    [Fact]
    public async Task ADeviceWorkerBesideItsSliceTrainsThroughGrainCallsLikeTheLocalLoop()
    {
        // The slice is in host memory in the worker's silo, but the worker cannot compute on host
        // memory: it must not borrow the slice's weights or lend it device memory, and reads and
        // pushes through the grain instead. Its GEMMs are the device engine's, so the weights
        // match the CPU local loop to rounding, not bit for bit.
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 10, workers: 1, optimizer: TestRuns.Optimizer());

        var (status, weights) = await TestRuns.RunToCompletion(fixture.Grains, spec, "device");
        float[] local = TestRuns.LocalWeights(spec, 10);

        Assert.Equal(10, status.Step);
        Assert.Equal(1, status.Workers);
        Assert.Equal(local.Length, weights.Length);
        double worst = local.Zip(weights, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-4, $"largest difference from the local loop {worst}");
        Assert.NotEqual(TestRuns.LocalWeights(spec, 9), weights); // and it did train all ten steps
    }
}
