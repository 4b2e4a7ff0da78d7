using System.Numerics.Tensors;

namespace DistTrain.Kernels.Training;

/// <summary>
/// Sums partial gradients over the fixed micro-shard tree of one step. Partials may arrive in
/// any order and any decomposition (one per <see cref="MicroShardTree.Cover"/> node of each
/// worker); two siblings are combined as soon as both are present, always as
/// <c>parent = left + right</c> (element-wise float add). The root therefore has the same bits
/// whatever the worker count, the order of arrival, or which worker recomputed what.
/// </summary>
/// <remarks>
/// A partial whose leaves are already covered is a duplicate and is ignored. A partial that
/// covers nodes already held (a re-planned range) replaces them: the tree sum of its leaves
/// has the same bits as combining them. Arrays are pooled; call <see cref="Reset"/> to reuse
/// the reducer for the next step.
/// </remarks>
public sealed class TreeReducer
{
    private readonly Dictionary<TreeNode, float[]> _nodes = [];
    private readonly Stack<float[]> _pool = new();
    private readonly TreeNode _root;

    /// <summary>Creates a reducer for <paramref name="leafCount"/> micro-shards (a power of two) and gradients of <paramref name="length"/> floats.</summary>
    public TreeReducer(int leafCount, int length)
    {
        _root = MicroShardTree.Root(leafCount);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        LeafCount = leafCount;
        Length = length;
    }

    /// <summary>Number of micro-shards (leaves).</summary>
    public int LeafCount { get; }

    /// <summary>Floats per gradient.</summary>
    public int Length { get; }

    /// <summary>Whether every leaf has been added.</summary>
    public bool IsComplete => _nodes.ContainsKey(_root);

    /// <summary>The nodes currently held (disjoint), in no particular order.</summary>
    public IEnumerable<TreeNode> Nodes => _nodes.Keys;

    /// <summary>The total over all micro-shards; valid until <see cref="Reset"/>.</summary>
    public float[] Root => _nodes.TryGetValue(_root, out float[]? root)
        ? root
        : throw new InvalidOperationException($"The tree sum is incomplete: it holds {string.Join(", ", _nodes.Keys.OrderBy(n => n.FirstLeaf))} of [0, {LeafCount}).");

    /// <summary>
    /// Adds the partial sum of the leaves under <paramref name="node"/>. Returns false, changing
    /// nothing, when those leaves are already covered (a duplicate push).
    /// </summary>
    public bool Add(TreeNode node, ReadOnlySpan<float> partial)
    {
        if (node.Level < 0 || node.Level > _root.Level || node.Index < 0 || node.Index >= (LeafCount >> node.Level))
        {
            throw new ArgumentOutOfRangeException(nameof(node), $"Node level {node.Level}, index {node.Index} is outside a tree of {LeafCount} micro-shards.");
        }

        if (partial.Length != Length)
        {
            throw new ArgumentException($"A partial gradient of {partial.Length} floats does not match the reducer's {Length}.", nameof(partial));
        }

        for (TreeNode a = node; a.Level <= _root.Level; a = a.Parent)
        {
            if (_nodes.ContainsKey(a))
            {
                return false;
            }
        }

        if (node.Level > 0)
        {
            foreach (TreeNode held in _nodes.Keys.Where(node.Contains).ToList())
            {
                _pool.Push(_nodes[held]);
                _nodes.Remove(held);
            }
        }

        float[] sum = Rent();
        partial.CopyTo(sum);
        while (node.Level < _root.Level && _nodes.Remove(node.Sibling, out float[]? sibling))
        {
            // parent = left + right, in that operand order, whichever arrived first.
            (float[] left, float[] right) = node.IsLeft ? (sum, sibling) : (sibling, sum);
            TensorPrimitives.Add(left, right, left);
            _pool.Push(right);
            sum = left;
            node = node.Parent;
        }

        _nodes.Add(node, sum);
        return true;
    }

    /// <summary>Forgets all partials (keeping the arrays for reuse) to start the next step.</summary>
    public void Reset()
    {
        foreach (float[] array in _nodes.Values)
        {
            _pool.Push(array);
        }

        _nodes.Clear();
    }

    private float[] Rent() => _pool.Count > 0 ? _pool.Pop() : new float[Length];
}
