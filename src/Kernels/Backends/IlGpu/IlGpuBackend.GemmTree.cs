namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>The micro-shard tree sum of products: one GEMM per leaf, folded pairwise with <see cref="Add"/>.</summary>
public sealed partial class IlGpuBackend
{
    private PairwiseFold? _treeFold;

    /// <inheritdoc />
    public void GemmTree(int m, int n, int leafRows, int leaves, BufferSpan a, BufferSpan b, BufferSpan c)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(leafRows);
        PairwiseFold.CheckTermCount(leaves);
        int rows = checked(leafRows * leaves);
        RequireMatrix(a, nameof(a), rows, m);
        RequireMatrix(b, nameof(b), rows, n);
        RequireMatrix(c, nameof(c), m, n);
        _treeFold ??= new PairwiseFold(this);
        _treeFold.GemmTreeByLeaf(m, n, leafRows, leaves, a, b, c);
    }
}
