using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Training;

public sealed class BatchPlanTests
{
    [Fact]
    public void EachEpochIsASeededPermutationOfAllSamples()
    {
        var plan = new BatchPlan(1000, 64, 8, 42);

        int[] epoch0 = plan.Permutation(0);
        int[] epoch1 = plan.Permutation(1);

        Assert.Equal(Enumerable.Range(0, 1000), epoch0.Order());
        Assert.Equal(Enumerable.Range(0, 1000), epoch1.Order());
        Assert.NotEqual(epoch0, epoch1);
        Assert.NotEqual(Enumerable.Range(0, 1000), epoch0);
    }

    [Fact]
    public void IndicesArePureFunctionsOfSeedEpochStepAndShard()
    {
        var a = new BatchPlan(1000, 64, 8, 42);
        var b = new BatchPlan(1000, 64, 8, 42);
        var other = new BatchPlan(1000, 64, 8, 43);

        // Ask b in a different order (later epoch first) to show there is no hidden state.
        int[] late = b.MicroShardIndices(40, 3).ToArray();
        int[] early = b.MicroShardIndices(2, 5).ToArray();

        Assert.Equal(a.MicroShardIndices(2, 5).ToArray(), early);
        Assert.Equal(a.MicroShardIndices(40, 3).ToArray(), late);
        Assert.NotEqual(a.MicroShardIndices(2, 5).ToArray(), other.MicroShardIndices(2, 5).ToArray());
    }

    [Fact]
    public void StepsCutEachPermutationIntoBatchesAndMicroShardsDroppingTheRemainder()
    {
        var plan = new BatchPlan(1000, 64, 8, 42);
        Assert.Equal(15, plan.StepsPerEpoch);
        Assert.Equal(8, plan.MicroShardSize);

        for (long step = 0; step < 2 * plan.StepsPerEpoch; step++)
        {
            long epoch = step / 15;
            int[] permutation = plan.Permutation(epoch);
            int batchStart = (int)(step % 15) * 64;
            for (int shard = 0; shard < 8; shard++)
            {
                Assert.Equal(permutation.AsSpan(batchStart + (shard * 8), 8).ToArray(), plan.MicroShardIndices(step, shard).ToArray());
            }

            Assert.Equal(permutation.AsSpan(batchStart + 16, 40).ToArray(), plan.Indices(step, 2, 5).ToArray());
        }
    }

    [Fact]
    public void WithoutShuffleSamplesComeInOrder()
    {
        var plan = new BatchPlan(10, 4, 2, 42, shuffle: false);

        Assert.Equal([4, 5, 6, 7], plan.Indices(1, 0, 2).ToArray());
        Assert.Equal([2, 3], plan.MicroShardIndices(2, 1).ToArray());
    }

    [Theory]
    [InlineData(100, 60, 8, "multiple")]
    [InlineData(100, 48, 6, "power of two")]
    [InlineData(10, 16, 8, "fewer than one global batch")]
    public void InvalidPlansAreRejectedWithAClearMessage(int samples, int batch, int shards, string expected)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new BatchPlan(samples, batch, shards, 0));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
