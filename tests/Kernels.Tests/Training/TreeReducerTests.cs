using DistTrain.Kernels.Tests.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Training;

public sealed class TreeReducerTests
{
    private const int Leaves = 8;
    private const int Length = 37;

    [Fact]
    public void RootHasTheSameBitsForEveryDecompositionAndOrderOfArrival()
    {
        var random = new System.Random(5);
        float[][] leaves = RandomLeaves(random);
        float[] expected = TreeSum(leaves, new TreeNode(3, 0));

        for (int trial = 0; trial < 200; trial++)
        {
            // Random worker ranges, each sending its cover nodes' tree sums, in random order.
            var partials = new List<TreeNode>();
            for (int first = 0; first < Leaves;)
            {
                int count = random.Next(1, Leaves - first + 1);
                partials.AddRange(MicroShardTree.Cover(first, count, Leaves));
                first += count;
            }

            var reducer = new TreeReducer(Leaves, Length);
            foreach (TreeNode node in partials.OrderBy(_ => random.Next()))
            {
                Assert.False(reducer.IsComplete);
                Assert.True(reducer.Add(node, TreeSum(leaves, node)));
            }

            Assert.True(reducer.IsComplete);
            SyntheticData.AssertBitIdentical(expected, reducer.Root, $"trial {trial}");
        }
    }

    [Fact]
    public void TheSumIsTakenInTreeOrderNotArrivalOrder()
    {
        // Values whose float sum depends on the association: (a + b) + (c + d) ≠ ((a + b) + c) + d.
        float[][] leaves = [[1e8f], [1f], [-1e8f], [1f]];
        var reducer = new TreeReducer(4, 1);

        reducer.Add(new TreeNode(0, 0), leaves[0]);
        reducer.Add(new TreeNode(0, 2), leaves[2]);
        reducer.Add(new TreeNode(0, 3), leaves[3]);
        reducer.Add(new TreeNode(0, 1), leaves[1]);

        Assert.Equal((1e8f + 1f) + (-1e8f + 1f), reducer.Root[0]);
    }

    [Fact]
    public void DuplicatesAndAlreadyCoveredPartialsAreIgnored()
    {
        var random = new System.Random(6);
        float[][] leaves = RandomLeaves(random);
        var reducer = new TreeReducer(Leaves, Length);

        Assert.True(reducer.Add(new TreeNode(2, 0), TreeSum(leaves, new TreeNode(2, 0))));
        Assert.False(reducer.Add(new TreeNode(2, 0), new float[Length]));
        Assert.False(reducer.Add(new TreeNode(0, 2), new float[Length]));
        Assert.False(reducer.Add(new TreeNode(1, 1), new float[Length]));
        Assert.True(reducer.Add(new TreeNode(0, 4), TreeSum(leaves, new TreeNode(0, 4))));
        Assert.False(reducer.Add(new TreeNode(0, 4), new float[Length]));

        // A re-planned range that covers a partial already held replaces it with the same bits.
        Assert.True(reducer.Add(new TreeNode(2, 1), TreeSum(leaves, new TreeNode(2, 1))));

        Assert.True(reducer.IsComplete);
        SyntheticData.AssertBitIdentical(TreeSum(leaves, new TreeNode(3, 0)), reducer.Root, "root");
        Assert.False(reducer.Add(new TreeNode(3, 0), new float[Length]));
    }

    [Fact]
    public void ResetStartsTheNextStepAndBadInputIsRejected()
    {
        var reducer = new TreeReducer(2, 3);
        reducer.Add(new TreeNode(1, 0), [1, 2, 3]);

        reducer.Reset();

        Assert.False(reducer.IsComplete);
        Assert.Throws<InvalidOperationException>(() => reducer.Root);
        Assert.True(reducer.Add(new TreeNode(0, 1), [1, 1, 1]));
        Assert.True(reducer.Add(new TreeNode(0, 0), [2, 2, 2]));
        Assert.Equal([3f, 3f, 3f], reducer.Root);
        Assert.Throws<ArgumentException>(() => reducer.Add(new TreeNode(0, 0), [1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => reducer.Add(new TreeNode(0, 2), [1, 2, 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TreeReducer(3, 1));
    }

    private static float[][] RandomLeaves(System.Random random) =>
        [.. Enumerable.Range(0, Leaves).Select(_ => SyntheticData.RandomFloats(random, Length, 1000f))];

    /// <summary>The reference: the node's sum, recursively left + right.</summary>
    private static float[] TreeSum(float[][] leaves, TreeNode node)
    {
        if (node.Level == 0)
        {
            return (float[])leaves[node.Index].Clone();
        }

        float[] left = TreeSum(leaves, new TreeNode(node.Level - 1, 2 * node.Index));
        float[] right = TreeSum(leaves, new TreeNode(node.Level - 1, (2 * node.Index) + 1));
        return [.. left.Zip(right, (l, r) => l + r)];
    }
}
