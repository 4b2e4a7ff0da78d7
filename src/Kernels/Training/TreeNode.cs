namespace DistTrain.Kernels.Training;

/// <summary>
/// A node of the fixed binary tree over the micro-shards of a global batch: it covers the
/// leaves <c>[Index·2^Level, (Index+1)·2^Level)</c>. Leaves have level 0.
/// </summary>
/// <param name="Level">Height above the leaves (0 for a micro-shard).</param>
/// <param name="Index">Position among the nodes of that level.</param>
public readonly record struct TreeNode(int Level, int Index)
{
    /// <summary>First leaf covered.</summary>
    public int FirstLeaf => Index << Level;

    /// <summary>Number of leaves covered (2^Level).</summary>
    public int LeafCount => 1 << Level;

    /// <summary>One past the last leaf covered.</summary>
    public int EndLeaf => FirstLeaf + LeafCount;

    /// <summary>The node one level up that contains this one.</summary>
    public TreeNode Parent => new(Level + 1, Index >> 1);

    /// <summary>The other child of <see cref="Parent"/>.</summary>
    public TreeNode Sibling => new(Level, Index ^ 1);

    /// <summary>Whether this node is the left child of its parent.</summary>
    public bool IsLeft => (Index & 1) == 0;

    /// <summary>Whether this node covers every leaf of <paramref name="other"/> (a node contains itself).</summary>
    public bool Contains(TreeNode other) => other.Level <= Level && (other.Index >> (Level - other.Level)) == Index;

    /// <inheritdoc />
    public override string ToString() => $"[{FirstLeaf}, {EndLeaf})";
}
