using DistTrain.Grains.Planning;
using DistTrain.Kernels.Training;

namespace DistTrain.Grains.Tests.Planning;

public sealed class StepPlannerTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 1)]
    [InlineData(8, 2)]
    [InlineData(8, 3)]
    [InlineData(8, 4)]
    [InlineData(8, 5)]
    [InlineData(8, 8)]
    [InlineData(16, 7)]
    public void ShardPlanCoversEveryMicroShardOnceInContiguousBalancedRanges(int microShards, int workers)
    {
        var plan = StepPlanner.PlanShards(microShards, workers);

        Assert.Equal(workers, plan.Count);
        int next = 0;
        for (int i = 0; i < plan.Count; i++)
        {
            Assert.Equal(i, plan[i].Worker);
            Assert.Equal(next, plan[i].First);
            Assert.True(plan[i].Count >= 1);
            next += plan[i].Count;
        }

        Assert.Equal(microShards, next);
        Assert.True(plan.Max(p => p.Count) - plan.Min(p => p.Count) <= 1);
    }

    [Theory]
    [InlineData(8, 1)]
    [InlineData(8, 2)]
    [InlineData(8, 4)]
    [InlineData(16, 8)]
    public void PowerOfTwoWorkerCountsGetOneAlignedSubtreeEach(int microShards, int workers)
    {
        foreach (var assignment in StepPlanner.PlanShards(microShards, workers))
        {
            var cover = MicroShardTree.Cover(assignment.First, assignment.Count, microShards);
            Assert.Single(cover);
        }
    }

    [Fact]
    public void MoreWorkersThanMicroShardsUsesOneWorkerPerMicroShard()
    {
        var plan = StepPlanner.PlanShards(4, 9);

        Assert.Equal(4, plan.Count);
        Assert.All(plan, p => Assert.Equal(1, p.Count));
    }

    [Fact]
    public void ShardPlanRejectsAMicroShardCountThatIsNotAPowerOfTwo()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => StepPlanner.PlanShards(6, 2));
        Assert.Contains("power of two", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => StepPlanner.PlanShards(8, 0));
    }

    [Theory]
    [InlineData(10, 1)]
    [InlineData(10, 3)]
    [InlineData(535818, 4)]
    [InlineData(7, 7)]
    public void SlicesAreContiguousAndCoverTheWholeVector(int total, int slices)
    {
        var plan = StepPlanner.PlanSlices(total, slices);

        Assert.Equal(slices, plan.Count);
        int next = 0;
        foreach (var (offset, length) in plan)
        {
            Assert.Equal(next, offset);
            next += length;
        }

        Assert.Equal(total, next);
        Assert.True(plan.Max(p => p.Length) - plan.Min(p => p.Length) <= 1);
    }

    [Fact]
    public void MoreSlicesThanParametersIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => StepPlanner.PlanSlices(3, 4));
        Assert.Contains("parameter count 3", e.Message);
    }
}
