namespace DistTrain.Kernels.Training;

/// <summary>
/// The fixed summation tree over the micro-shards of a global batch. Partial gradient sums are
/// only ever combined as <c>parent = left + right</c>, so the total has the same bits however
/// the micro-shards are spread over workers.
/// </summary>
public static class MicroShardTree
{
    /// <summary>
    /// The maximal aligned nodes that exactly cover leaves <c>[first, first + count)</c> of a
    /// tree of <paramref name="leafCount"/> leaves (a power of two), in leaf order. A worker
    /// sends one partial sum per node.
    /// </summary>
    public static IReadOnlyList<TreeNode> Cover(int first, int count, int leafCount)
    {
        CheckRange(first, count, leafCount);
        var nodes = new List<TreeNode>();
        int position = first;
        int end = first + count;
        while (position < end)
        {
            int level = 0;
            while (((position >> level) & 1) == 0 && position + (2 << level) <= end && (2 << level) <= leafCount)
            {
                level++;
            }

            nodes.Add(new TreeNode(level, position >> level));
            position += 1 << level;
        }

        return nodes;
    }

    /// <summary>The root of a tree of <paramref name="leafCount"/> leaves.</summary>
    public static TreeNode Root(int leafCount)
    {
        CheckLeafCount(leafCount);
        return new TreeNode(int.Log2(leafCount), 0);
    }

    /// <summary>Throws unless <paramref name="leafCount"/> is a positive power of two.</summary>
    public static void CheckLeafCount(int leafCount)
    {
        if (leafCount <= 0 || !int.IsPow2(leafCount))
        {
            throw new ArgumentOutOfRangeException(nameof(leafCount), $"The number of micro-shards must be a positive power of two, got {leafCount}.");
        }
    }

    /// <summary>Throws unless <c>[first, first + count)</c> is a non-empty range of leaves.</summary>
    public static void CheckRange(int first, int count, int leafCount)
    {
        CheckLeafCount(leafCount);
        if (first < 0 || count <= 0 || (long)first + count > leafCount)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"Micro-shard range [{first}, {(long)first + count}) is empty or outside [0, {leafCount}).");
        }
    }
}
