using DistTrain.Grains.Planning;
using DistTrain.Grains.Servers;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>The parameter server's update, checked against the formulas computed by hand, and its exactly-once rules.</summary>
[Collection(OneSiloCollection.Name)]
public sealed class ParameterServerTests(OneSiloFixture fixture)
{
    private static readonly ShardNode Leaf0 = new(0, 0);
    private static readonly ShardNode Leaf1 = new(0, 1);
    private static readonly ShardNode RootOfTwo = new(1, 0);
    private static readonly float[] LentSum = [0.3f, -1.2f, 0.7f];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ClippingMomentumNesterovWeightDecayAndScheduleMatchHandComputedValues(int slices)
    {
        // Warm-up over 1 step, then lr = 0.1·0.5^⌊(s − 1)/2⌋.
        var optimizer = new OptimizerSettings(0.1f, Momentum: 0.9f, Nesterov: true, WeightDecay: 0.01f, ClipNorm: 0.5f, new ScheduleSettings(ScheduleKind.Step, DecaySteps: 2, Factor: 0.5, WarmupSteps: 1));
        float[] w0 = [1f, -2f, 0.5f];
        var harness = await ServerHarness.Create(fixture.Grains, w0, optimizer, microShards: 2, globalBatch: 4, slices);
        float[][][] partials =
        [
            [[1f, 2f, 3f], [3f, -2f, 1f]],       // step 0: g = (4, 0, 4), ‖g/4‖ = √2 > 0.5: clipped
            [[0.1f, 0.2f, -0.1f], [0.1f, 0f, 0.1f]], // step 1: g = (0.2, 0.2, 0), ‖g/4‖ ≈ 0.07: not clipped
            [[-3f, 0f, 0f], [0f, 0f, 0f]],       // step 2: ‖g/4‖ = 0.75: clipped
            [[0f, 0f, 0.5f], [0f, 0.5f, 0f]],    // step 3: lr halves
        ];
        double[] w = [.. w0.Select(x => (double)x)];
        double[] v = new double[3];
        double[] expectedRates = [0.1, 0.1, 0.1, 0.05];
        bool[] expectedClipped = [true, false, true, false];

        for (int step = 0; step < partials.Length; step++)
        {
            await harness.Push(step, Leaf1, partials[step][1]);
            await harness.Push(step, Leaf0, partials[step][0]);
            ApplyResult result = await harness.Apply(step);

            double[] g = [.. Enumerable.Range(0, 3).Select(i => (double)partials[step][0][i] + partials[step][1][i])];
            double norm = Math.Sqrt(g.Sum(x => x * x)) / 4;
            double scale = 0.25 * Math.Min(1, 0.5 / norm);
            for (int i = 0; i < 3; i++)
            {
                double gi = (scale * g[i]) + (0.01 * w[i]);
                v[i] = (0.9 * v[i]) + gi;
                w[i] -= expectedRates[step] * (gi + (0.9 * v[i]));
            }

            Assert.Equal(norm, result.GradientNorm, 6);
            Assert.Equal(expectedRates[step], result.LearningRate, 6);
            Assert.Equal(expectedClipped[step], result.Clipped);
            Assert.False(result.Skipped);
        }

        float[] weights = await harness.Read(ParameterKind.Weights);
        float[] velocity = await harness.Read(ParameterKind.Velocity);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(w[i], weights[i], 5);
            Assert.Equal(v[i], velocity[i], 5);
        }
    }

    [Fact]
    public async Task PlainMomentumWithExponentialDecayMatchesHandComputedValues()
    {
        var optimizer = new OptimizerSettings(0.2f, Momentum: 0.5f, Schedule: new ScheduleSettings(ScheduleKind.Exponential, DecaySteps: 1, Factor: 0.5));
        var harness = await ServerHarness.Create(fixture.Grains, [0f, 1f], optimizer, microShards: 1, globalBatch: 2);
        var root = new ShardNode(0, 0);

        await harness.Push(0, root, [2f, 4f]);   // g/B = (1, 2); v = (1, 2); w = (0, 1) − 0.2·(1, 2)
        await harness.Apply(0);
        await harness.Push(1, root, [2f, 0f]);   // g/B = (1, 0); v = (1.5, 1); lr = 0.1
        var second = await harness.Apply(1);

        float[] weights = await harness.Read(ParameterKind.Weights);
        Assert.Equal(0.1, second.LearningRate, 6);
        Assert.Equal(0 - 0.2 - (0.1 * 1.5), weights[0], 5);
        Assert.Equal(1 - 0.4 - (0.1 * 1.0), weights[1], 5);
    }

    [Fact]
    public async Task ADuplicatePushChangesNothing()
    {
        var optimizer = new OptimizerSettings(0.1f, Momentum: 0.9f);
        float[] w0 = [0.5f, -0.25f, 2f, 1f];
        float[] left = [0.3f, 0.1f, -0.7f, 0.2f];
        float[] right = [0.9f, -0.4f, 0.05f, 1.1f];
        var once = await ServerHarness.Create(fixture.Grains, w0, optimizer, microShards: 2, globalBatch: 8);
        var twice = await ServerHarness.Create(fixture.Grains, w0, optimizer, microShards: 2, globalBatch: 8);

        await once.Push(0, Leaf0, left);
        await once.Push(0, Leaf1, right);
        await once.Apply(0);
        Assert.True((await twice.Push(0, Leaf0, left))[0]);
        Assert.False((await twice.Push(0, Leaf0, left))[0]);
        Assert.True((await twice.Push(0, Leaf1, right))[0]);
        Assert.False((await twice.Push(0, new ShardNode(1, 0), [9f, 9f, 9f, 9f]))[0]); // the root is covered already
        await twice.Apply(0);
        Assert.False((await twice.Push(0, Leaf1, right))[0]); // late: step 0 is applied
        var again = await twice.Server(0).Apply(0, 123.0);        // a retried Apply returns the first result

        TestRuns.AssertSameBits(await once.Read(ParameterKind.Weights), await twice.Read(ParameterKind.Weights), "weights");
        TestRuns.AssertSameBits(await once.Read(ParameterKind.Velocity), await twice.Read(ParameterKind.Velocity), "velocity");
        Assert.Equal(1L, await twice.Server(0).GetVersion(twice.RunId));
        Assert.Equal(0, again.Step);
    }

    [Fact]
    public async Task ANaNGradientSkipsTheStepLeavingWeightsAndMomentumBitIdentical()
    {
        var optimizer = new OptimizerSettings(0.1f, Momentum: 0.9f, ClipNorm: 1f);
        var harness = await ServerHarness.Create(fixture.Grains, [0.5f, -0.25f, 2f], optimizer, microShards: 2, globalBatch: 4);
        await harness.Push(0, Leaf0, [1f, 2f, 3f]);
        await harness.Push(0, Leaf1, [0.5f, 0.5f, 0.5f]);
        await harness.Apply(0); // gives the velocity something to keep
        float[] weightsBefore = await harness.Read(ParameterKind.Weights);
        float[] velocityBefore = await harness.Read(ParameterKind.Velocity);

        await harness.Push(1, Leaf0, [1f, float.NaN, 3f]);
        await harness.Push(1, Leaf1, [0.5f, 0.5f, 0.5f]);
        ApplyResult result = await harness.Apply(1);

        Assert.True(result.Skipped);
        Assert.Equal(2L, await harness.Server(0).GetVersion(harness.RunId));
        TestRuns.AssertSameBits(weightsBefore, await harness.Read(ParameterKind.Weights), "weights after a skipped step");
        TestRuns.AssertSameBits(velocityBefore, await harness.Read(ParameterKind.Velocity), "velocity after a skipped step");
    }

    [Fact]
    public async Task ASliceRejectsASupersededCoordinatorGenerationAndFollowsANewerOne()
    {
        var harness = await ServerHarness.Create(fixture.Grains, [1f, 2f], new OptimizerSettings(0.1f), microShards: 1, globalBatch: 1);
        var root = new ShardNode(0, 0);
        var server = harness.Server(0);
        try
        {
            Grains.Runs.CoordinatorFence.Stamp(5);
            await harness.Push(0, root, [1f, 1f]);
            Assert.False((await server.Apply(0, 2.0)).Skipped); // generation 5 seen

            Grains.Runs.CoordinatorFence.Stamp(4); // an older activation of the coordinator
            await harness.Push(1, root, [1f, 1f]);
            var apply = await Assert.ThrowsAsync<InvalidOperationException>(() => server.Apply(1, 2.0));
            var rewind = await Assert.ThrowsAsync<InvalidOperationException>(() => server.Configure(new ServerSliceConfig(harness.RunId, 0, 0, 2, new OptimizerSettings(0.1f), 1, 1, 0)));
            Assert.Equal(1L, await server.GetVersion(harness.RunId)); // neither the step nor the rewind happened

            Grains.Runs.CoordinatorFence.Stamp(6);
            Assert.False((await server.Apply(1, 2.0)).Skipped);
            Assert.Contains(Grains.Runs.CoordinatorFence.SupersededMarker, apply.Message);
            Assert.True(Grains.Runs.CoordinatorFence.IsSuperseded(rewind));
            Assert.Equal(2L, await server.GetVersion(harness.RunId));
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public async Task ASliceBeingSetUpServesNothingUntilSealed()
    {
        // A coordinator that dies between Configure and its last Write must not leave a slice that
        // a worker reads half-written weights from, or that the next coordinator takes as ready.
        LocalSliceDirectory directory = LocalDirectory();
        string runId = $"unsealed-{Guid.NewGuid():N}";
        string key = ServerKeys.For(runId, 0);
        var server = fixture.Grains.GetGrain<IParameterServerGrain>(key);
        using var backend = new CpuBackend(1);
        using DeviceBuffer copy = backend.Allocate(3);
        await server.Configure(new ServerSliceConfig(runId, 0, 0, 3, new OptimizerSettings(0.1f), 1, 1, 4));
        await server.Write(new ParameterChunk(ParameterKind.Weights, 4, 0, FloatBytes.ToBytes([1f, 2f, 3f])));

        Assert.Null(await server.GetVersion(runId));
        var unsealed = await Assert.ThrowsAsync<InvalidOperationException>(() => server.Read(ParameterKind.Weights, 0, 3));
        Assert.Contains("being set up", unsealed.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.Push(new GradientChunk(runId, 4, new ShardNode(0, 0), 0, FloatBytes.ToBytes([1f, 1f, 1f]))));
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.ApplyAlone(4));
        Assert.Null(directory.TryBorrowWeights(key, runId, 4));
        Assert.False(directory.TryCopyWeights(key, runId, 4, copy.All));

        await server.Seal();
        await server.Seal(); // twice changes nothing

        Assert.Equal(4L, await server.GetVersion(runId));
        ParameterChunk read = await server.Read(ParameterKind.Weights, 0, 3);
        Assert.Equal([1f, 2f, 3f], FloatBytes.AsFloats(read.Data).ToArray());
        using (LocalSlice.WeightsLoan loan = directory.TryBorrowWeights(key, runId, 4)!)
        {
            Assert.Equal([1f, 2f, 3f], loan.Weights.ToArray());
        }

        Assert.True((await server.Push(new GradientChunk(runId, 4, new ShardNode(0, 0), 0, FloatBytes.ToBytes([1f, 1f, 1f])))));
        Assert.Equal(4, (await server.ApplyAlone(4)).Step);
        await server.Release();
    }

    [Fact]
    public async Task AnIncompleteStepCannotBeApplied()
    {
        var harness = await ServerHarness.Create(fixture.Grains, [1f, 2f], new OptimizerSettings(0.1f), microShards: 2, globalBatch: 2);
        await harness.Push(0, Leaf0, [1f, 1f]);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Server(0).SumOfSquares(0));

        Assert.Contains("has not received every micro-shard", e.Message);
    }

    [Fact]
    public async Task ASingleWorkersWholeSumAppliedInOneCallMatchesLeavesAppliedInTwoCalls()
    {
        // One worker pushes the root (taken as the reduced sum directly) and the coordinator
        // applies with ApplyAlone; two workers push leaves that the tree adds, then SumOfSquares
        // and Apply. Same bits, for a clipped step and a plain one.
        var optimizer = new OptimizerSettings(0.1f, Momentum: 0.9f, ClipNorm: 0.1f);
        float[] w0 = [0.5f, -0.25f, 2f, 1f];
        float[][] left = [[0.3f, 0.1f, -0.7f, 0.2f], [0.01f, 0.02f, 0.03f, -0.01f]];
        float[][] right = [[0.9f, -0.4f, 0.05f, 1.1f], [-0.02f, 0.01f, 0f, 0.04f]];
        var leaves = await ServerHarness.Create(fixture.Grains, w0, optimizer, microShards: 2, globalBatch: 8);
        var whole = await ServerHarness.Create(fixture.Grains, w0, optimizer, microShards: 2, globalBatch: 8);
        var root = new ShardNode(1, 0);
        for (int step = 0; step < 2; step++)
        {
            await leaves.Push(step, Leaf0, left[step]);
            await leaves.Push(step, Leaf1, right[step]);
            ApplyResult expected = await leaves.Apply(step);

            float[] sum = [.. left[step].Zip(right[step], (a, b) => a + b)]; // what the worker's fold computes
            Assert.True((await whole.Push(step, root, sum))[0]);
            Assert.False((await whole.Push(step, root, sum))[0]);   // duplicate
            Assert.False((await whole.Push(step, Leaf1, right[step]))[0]); // covered by the root already
            ApplyResult actual = await whole.Server(0).ApplyAlone(step);

            Assert.Equal(expected, actual);
            Assert.Equal(step == 0, actual.Clipped);
            Assert.Equal(actual, await whole.Server(0).ApplyAlone(step)); // a retried call returns the first result
        }

        TestRuns.AssertSameBits(await leaves.Read(ParameterKind.Weights), await whole.Read(ParameterKind.Weights), "weights");
        TestRuns.AssertSameBits(await leaves.Read(ParameterKind.Velocity), await whole.Read(ParameterKind.Velocity), "velocity");
        await Assert.ThrowsAsync<InvalidOperationException>(() => whole.Server(0).ApplyAlone(5));
    }

    [Fact]
    public async Task AWorkerOfTheSameSiloReadsExactlyTheSlicesCurrentVersionFromMemory()
    {
        LocalSliceDirectory directory = LocalDirectory(); // the one silo's, where the slice is activated
        var harness = await ServerHarness.Create(fixture.Grains, [0.5f, -0.25f, 2f], new OptimizerSettings(0.1f), microShards: 2, globalBatch: 4);
        string key = ServerKeys.For(harness.RunId, 0);
        using var backend = new CpuBackend(1);
        using DeviceBuffer copy = backend.Allocate(3);

        Assert.True(directory.TryCopyWeights(key, harness.RunId, 0, copy.All));
        Assert.Equal([0.5f, -0.25f, 2f], copy.ToArray());
        Assert.False(directory.TryCopyWeights(key, harness.RunId, 1, copy.All)); // not that version yet
        Assert.False(directory.TryCopyWeights(key, "another-run", 0, copy.All));
        Assert.False(directory.TryCopyWeights(key, harness.RunId, 0, copy.Slice(0, 2)));

        await harness.Push(0, Leaf0, [1f, 1f, 1f]);
        await harness.Push(0, Leaf1, [1f, 1f, 1f]);
        await harness.Apply(0);
        Assert.False(directory.TryCopyWeights(key, harness.RunId, 0, copy.All)); // the old version is gone
        Assert.True(directory.TryCopyWeights(key, harness.RunId, 1, copy.All));
        TestRuns.AssertSameBits(await harness.Read(ParameterKind.Weights), copy.ToArray(), "weights copied from memory");

        await harness.Server(0).Release();
        Assert.False(directory.TryCopyWeights(key, harness.RunId, 1, copy.All)); // released: no reads of freed memory
    }

    [Fact]
    public async Task AWholeStepSumLentInMemoryCountsExactlyOnceAndMatchesAPush()
    {
        LocalSliceDirectory directory = LocalDirectory();
        var (pushed, lent, expected) = await PushedAndLentSlices();
        string key = ServerKeys.For(lent.RunId, 0);
        using var backend = new CpuBackend(1);
        using DeviceBuffer sum = backend.Allocate(3);
        sum.Upload(LentSum);
        object worker = new();

        Assert.Null(directory.TryLendRoot(key, lent.RunId, 1, sum.All, worker));     // not the current step
        Assert.Null(directory.TryLendRoot(key, "another-run", 0, sum.All, worker));
        Assert.Null(directory.TryLendRoot(key, lent.RunId, 0, sum.Slice(0, 2), worker));
        LocalSlice? slice = directory.TryLendRoot(key, lent.RunId, 0, sum.All, worker);
        Assert.NotNull(slice);
        Assert.Null(directory.TryLendRoot(key, lent.RunId, 0, sum.All, worker));     // once per step
        Assert.False((await lent.Push(0, RootOfTwo, [9f, 9f, 9f]))[0]);             // a push of the step now is a duplicate
        Assert.False((await lent.Push(0, Leaf0, [9f, 9f, 9f]))[0]);
        Assert.Equal(expected, await lent.Server(0).ApplyAlone(0));
        TestRuns.AssertSameBits(await pushed.Read(ParameterKind.Weights), await lent.Read(ParameterKind.Weights), "weights");

        // The apply ended the loan: the worker's buffer is its own again and changes nothing.
        slice.Reclaim(worker);
        sum.Upload([100f, 100f, 100f]);
        TestRuns.AssertSameBits(await pushed.Read(ParameterKind.Weights), await lent.Read(ParameterKind.Weights), "weights after the loan");

        // Step 1: a leaf pushed first closes the door to a loan of that step.
        Assert.True((await lent.Push(1, Leaf0, [1f, 1f, 1f]))[0]);
        Assert.Null(directory.TryLendRoot(key, lent.RunId, 1, sum.All, worker));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ALentSumReclaimedBeforeTheApplyIsKeptByTheSlice(bool takenFirst)
    {
        // A worker that must reuse its buffer before the step was applied (a retried step, a new
        // replica) reclaims the loan: the slice keeps a copy, whether or not it had taken the loan yet.
        LocalSliceDirectory directory = LocalDirectory();
        var (pushed, lent, expected) = await PushedAndLentSlices();
        using var backend = new CpuBackend(1);
        using DeviceBuffer sum = backend.Allocate(3);
        sum.Upload(LentSum);
        object worker = new();

        LocalSlice slice = directory.TryLendRoot(ServerKeys.For(lent.RunId, 0), lent.RunId, 0, sum.All, worker)!;
        if (takenFirst)
        {
            Assert.False((await lent.Push(0, Leaf0, [9f, 9f, 9f]))[0]); // the slice's turn takes the loan as the root
        }

        slice.Reclaim(new object()); // not the lender: nothing happens
        slice.Reclaim(worker);
        sum.Upload([100f, -100f, 100f]); // the worker's next step overwrites its buffer

        Assert.Equal(expected, await lent.Server(0).ApplyAlone(0));
        TestRuns.AssertSameBits(await pushed.Read(ParameterKind.Weights), await lent.Read(ParameterKind.Weights), "weights");
        TestRuns.AssertSameBits(await pushed.Read(ParameterKind.Velocity), await lent.Read(ParameterKind.Velocity), "velocity");
    }

    [Fact]
    public async Task BorrowedWeightsAreTheCurrentVersionAndHoldOffTheApplyUntilReturned()
    {
        LocalSliceDirectory directory = LocalDirectory();
        var harness = await ServerHarness.Create(fixture.Grains, [0.5f, -0.25f, 2f], new OptimizerSettings(0.1f), microShards: 2, globalBatch: 4);
        string key = ServerKeys.For(harness.RunId, 0);

        Assert.Null(directory.TryBorrowWeights(key, harness.RunId, 1)); // not that version yet
        Assert.Null(directory.TryBorrowWeights(key, "another-run", 0));
        LocalSlice.WeightsLoan loan = directory.TryBorrowWeights(key, harness.RunId, 0)!;
        Assert.Equal([0.5f, -0.25f, 2f], loan.Weights.ToArray());

        await harness.Push(0, Leaf0, [1f, 1f, 1f]);
        await harness.Push(0, Leaf1, [1f, 1f, 1f]);
        Task<ApplyResult> apply = harness.Apply(0);
        await Task.Delay(300);
        Assert.False(apply.IsCompleted); // the borrower still computes on version 0
        Assert.Equal([0.5f, -0.25f, 2f], loan.Weights.ToArray());

        loan.Dispose();
        loan.Dispose(); // twice is harmless
        await apply.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(directory.TryBorrowWeights(key, harness.RunId, 0)); // the old version is gone
        using (LocalSlice.WeightsLoan next = directory.TryBorrowWeights(key, harness.RunId, 1)!)
        {
            TestRuns.AssertSameBits(await harness.Read(ParameterKind.Weights), next.Weights.ToArray(), "borrowed weights");
        }

        await harness.Server(0).Release();
        Assert.Null(directory.TryBorrowWeights(key, harness.RunId, 1)); // released: no reads of freed memory
    }

    /// <summary>
    /// Two slices over the same weights and a two-leaf tree: one that took <see cref="LentSum"/>
    /// as step 0's pushed root and applied it (the reference, and its result), and one still at
    /// step 0, to lend the same sum to.
    /// </summary>
    private async Task<(ServerHarness Pushed, ServerHarness Lent, ApplyResult Expected)> PushedAndLentSlices()
    {
        var optimizer = new OptimizerSettings(0.1f, Momentum: 0.9f);
        float[] w0 = [0.5f, -0.25f, 2f];
        var pushed = await ServerHarness.Create(fixture.Grains, w0, optimizer, microShards: 2, globalBatch: 4);
        var lent = await ServerHarness.Create(fixture.Grains, w0, optimizer, microShards: 2, globalBatch: 4);
        await pushed.Push(0, RootOfTwo, LentSum);
        return (pushed, lent, await pushed.Server(0).ApplyAlone(0));
    }

    private LocalSliceDirectory LocalDirectory() =>
        ((Orleans.TestingHost.InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost.Services.GetRequiredService<LocalSliceDirectory>();
}
