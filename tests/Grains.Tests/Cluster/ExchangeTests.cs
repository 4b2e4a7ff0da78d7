using Orleans.Runtime;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>
/// The overlapped exchange over two silos: weights read in buckets and waited for layer by
/// layer, gradients pushed in buckets during the backward, slices placed one per silo. Every
/// combination gives the local loop's bits; bfloat16 pushes repeat their own bits.
/// </summary>
[Collection(TwoSiloCollection.Name)]
public sealed class ExchangeTests(TwoSiloFixture fixture)
{
    private const int Steps = 12;

    public static TheoryData<int, int> BucketsAndSlices() => new()
    {
        { 0, 1 },           // one push after the backward, one slice
        { 0, 2 },
        { 1024, 1 },        // buckets far smaller than a layer: many pushes per layer
        { 1024, 2 },
        { 1024, 0 },        // slices: one per silo with workers
        { 512 * 1024, 0 },  // the default bucket size
        { 512 * 1024, 3 },  // more slices than silos
    };

    [Theory]
    [MemberData(nameof(BucketsAndSlices))]
    public async Task EveryWorkerCountBucketSizeAndSliceCountGivesTheLocalLoopsBits(int bucketBytes, int slices)
    {
        // Several slices sum Σg² in slice order, which is not the local loop's order: no clipping there.
        var optimizer = TestRuns.Optimizer() with { ClipNorm = slices == 1 ? 5f : null };
        RunSpec Spec(int workers) => TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), Steps, workers, slices: slices, optimizer: optimizer) with { BucketBytes = bucketBytes };

        var runs = await Task.WhenAll(new[] { 1, 2, 4 }.Select(w => TestRuns.RunToCompletion(fixture.Grains, Spec(w), $"exchange-{bucketBytes}-{slices}-{w}")));
        float[] local = TestRuns.LocalWeights(Spec(1), Steps);

        foreach (var ((status, weights), workers) in runs.Zip(new[] { 1, 2, 4 }))
        {
            Assert.Equal(workers, status.Workers);
            TestRuns.AssertSameBits(local, weights, $"{workers} workers, buckets of {bucketBytes} bytes, {slices} slices");
        }
    }

    [Fact]
    public async Task ByDefaultARunHasOneSlicePerSiloWithWorkersEachOnItsOwnSilo()
    {
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 100_000, workers: 4, slices: 0);
        string runId = $"homes-{Guid.NewGuid():N}";
        var run = fixture.Grains.GetGrain<ITrainingRunGrain>(runId);
        await run.Start(spec);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await run.GetStatus()).Step < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not get going");
            await Task.Delay(20);
        }

        // Looked at while the run trains (a finished run's slices deactivate).
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        var slices = (await management.GetDetailedGrainStatistics())
            .Where(g => g.GrainId.ToString().Contains(runId, StringComparison.Ordinal) && g.GrainType.Contains("ParameterServer", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var hosts = await management.GetHosts(onlyActive: true);
        await run.Stop();

        Assert.Equal(2, slices.Count);
        Assert.Equal(hosts.Count, slices.Select(s => s.SiloAddress).Distinct().Count());
    }

    [Fact]
    public async Task StepReportsCountTheBytesBetweenSilosAndEachWorkersPhases()
    {
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), Steps, workers: 4, slices: 0);
        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"phases-{Guid.NewGuid():N}");
        await run.Start(spec);
        var status = await TestRuns.WaitUntilSettled(run);
        Assert.True(status.State == RunState.Completed, $"{status.State}: {status.Error}");
        var reports = await run.GetReports(afterStep: -1);

        Assert.Equal(Steps, reports.Count);
        Assert.All(reports, r =>
        {
            Assert.Equal(4, r.Stragglers!.Count);
            Assert.Equal(4, r.Stragglers.Select(w => w.WorkerKey).Distinct().Count());
            Assert.All(r.Stragglers, w => Assert.InRange(w.ComputeMilliseconds, 0, w.Milliseconds));
            Assert.Equal(r.Stragglers.Sum(w => w.WireBytes), r.WireBytes);
        });

        // Each worker reads the other silo's slice and pushes its gradient to it: at least one
        // float each way of every weight that lives over there, every step.
        Assert.All(reports, r => Assert.True(r.WireBytes > 0, $"step {r.Step} moved nothing between silos"));
        Assert.All(reports, r => Assert.True(r.WireBytes <= r.BytesPulled + r.BytesPushed, $"step {r.Step}: {r.WireBytes} wire bytes of {r.BytesPulled + r.BytesPushed} moved"));
    }

    [Fact]
    public async Task Bfloat16PushesRepeatTheirBitsAndStayCloseToTheFullPrecisionRun()
    {
        var optimizer = TestRuns.Optimizer() with { ClipNorm = null };
        RunSpec Spec(GradientCompression compression) =>
            TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), Steps, workers: 4, slices: 0, optimizer: optimizer) with { Compression = compression, BucketBytes = 1024 };

        var runs = await Task.WhenAll(
            TestRuns.RunToCompletion(fixture.Grains, Spec(GradientCompression.Bf16), "bf16-a"),
            TestRuns.RunToCompletion(fixture.Grains, Spec(GradientCompression.Bf16), "bf16-b"),
            TestRuns.RunToCompletion(fixture.Grains, Spec(GradientCompression.None), "fp32"));

        TestRuns.AssertSameBits(runs[0].Weights, runs[1].Weights, "two bf16 runs");
        float[] full = runs[2].Weights;
        float[] compressed = runs[0].Weights;
        Assert.NotEqual(full, compressed); // the encoding is really used
        double difference = Math.Sqrt(full.Zip(compressed).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second)));
        double norm = Math.Sqrt(full.Sum(w => (double)w * w));
        Assert.True(difference < 0.01 * norm, $"bf16 weights are {difference / norm:P3} away from the fp32 run's");
    }
}
