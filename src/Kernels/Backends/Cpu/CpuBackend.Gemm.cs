namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>GEMM entry point: argument checks, then <see cref="Sgemm"/>.</summary>
public sealed partial class CpuBackend
{
    private PairwiseFold? _treeFold;

    /// <inheritdoc />
    public unsafe void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, BufferSpan a, BufferSpan b, float beta, BufferSpan c)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var aView = View(a, Shape(m, k), nameof(a));
        var bView = View(b, Shape(k, n), nameof(b));
        var cView = View(c, Shape(m, n), nameof(c));
        fixed (float* pa = aView)
        fixed (float* pb = bView)
        fixed (float* pc = cView)
        {
            _sgemm.Run(transposeA, transposeB, m, n, k, alpha, pa, pb, beta, pc);
        }
    }

    /// <summary><c>C = op(A)·op(B)</c> on host pointers, for the eager <c>Tensor</c> API (no buffer copies).</summary>
    internal unsafe void GemmHost(bool transposeA, bool transposeB, int m, int n, int k, float* a, float* b, float* c)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _sgemm.Run(transposeA, transposeB, m, n, k, 1f, a, b, 0f, c);
    }

    /// <inheritdoc />
    /// <remarks>
    /// When the packed A and B blocks of the whole K fit the GEMM's workspace (K up to about
    /// 6,000), each micro-tile folds its leaves in registers and L1 (<see cref="Sgemm.RunTree"/>);
    /// larger K (convolutions) run one GEMM per leaf and fold whole matrices, with the same bits.
    /// </remarks>
    public unsafe void GemmTree(int m, int n, int leafRows, int leaves, BufferSpan a, BufferSpan b, BufferSpan c)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(leafRows);
        PairwiseFold.CheckTermCount(leaves);
        int k = checked(leafRows * leaves);
        var aView = View(a, Shape(k, m), nameof(a));
        var bView = View(b, Shape(k, n), nameof(b));
        var cView = View(c, Shape(m, n), nameof(c));
        if (_sgemm.TreeFits(k))
        {
            fixed (float* pa = aView)
            fixed (float* pb = bView)
            fixed (float* pc = cView)
            {
                _sgemm.RunTree(true, false, m, n, leafRows, leaves, pa, pb, pc);
            }

            return;
        }

        _treeFold ??= new PairwiseFold(this);
        _treeFold.GemmTreeByLeaf(m, n, leafRows, leaves, a, b, c);
    }
}
