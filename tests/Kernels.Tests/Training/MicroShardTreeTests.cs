using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Training;

public sealed class MicroShardTreeTests
{
    [Fact]
    public void CoverOfEveryRangeOfEightLeavesIsTheExactMaximalAlignedCover()
    {
        for (int first = 0; first < 8; first++)
        {
            for (int count = 1; first + count <= 8; count++)
            {
                IReadOnlyList<TreeNode> cover = MicroShardTree.Cover(first, count, 8);

                int next = first;
                foreach (TreeNode node in cover)
                {
                    Assert.Equal(next, node.FirstLeaf);
                    next = node.EndLeaf;

                    // Maximal: the parent would reach outside the range (or the node is the root).
                    TreeNode parent = node.Parent;
                    Assert.True(node.Level == 3 || parent.FirstLeaf < first || parent.EndLeaf > first + count, $"{node} in [{first}, {first + count}) could be merged into {parent}.");
                }

                Assert.Equal(first + count, next);
            }
        }
    }

    [Fact]
    public void CoverGivesTheExpectedNodesForTypicalWorkerRanges()
    {
        Assert.Equal([new TreeNode(3, 0)], MicroShardTree.Cover(0, 8, 8));
        Assert.Equal([new TreeNode(2, 1)], MicroShardTree.Cover(4, 4, 8));
        Assert.Equal([new TreeNode(0, 1), new TreeNode(1, 1), new TreeNode(0, 4)], MicroShardTree.Cover(1, 4, 8));
        Assert.Equal([new TreeNode(0, 3), new TreeNode(2, 1)], MicroShardTree.Cover(3, 5, 8));
    }

    [Theory]
    [InlineData(0, 0, 8)]
    [InlineData(7, 2, 8)]
    [InlineData(-1, 1, 8)]
    [InlineData(0, 1, 6)]
    public void InvalidRangesAreRejected(int first, int count, int leaves)
    {
        Assert.ThrowsAny<ArgumentException>(() => MicroShardTree.Cover(first, count, leaves));
    }
}
