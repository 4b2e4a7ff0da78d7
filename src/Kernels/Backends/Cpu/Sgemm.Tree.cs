using System.Runtime.Intrinsics;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// The tree sum of K-block products: <c>C = fold(op(A)₀·op(B)₀, …, op(A)ₗ₋₁·op(B)ₗ₋₁)</c>, where
/// block l is k range <c>[l·leafK, (l+1)·leafK)</c> and the fold adds neighbours pairwise,
/// <c>((P₀ + P₁) + (P₂ + P₃)) + …</c>. This is the weight gradient of a micro-shard range:
/// each block is one micro-shard's rows.
/// </summary>
/// <remarks>
/// Bits: each block is computed by the same micro-kernel as <see cref="Run"/> with alpha 1 and
/// beta 0 (one FMA chain per <see cref="KC"/> piece, pieces added in order), and the pairwise
/// sums are plain float additions, so the result equals L separate GEMMs followed by the
/// pairwise adds of whole matrices, bit for bit. The difference is where the partial sums
/// live: here a micro-tile's pending partials stay in a few L1-resident tiles
/// (<see cref="Workspace.Slots"/>, one per tree level), so C is written once instead of L
/// times plus L − 1 full-matrix adds.
/// </remarks>
internal sealed unsafe partial class Sgemm
{
    /// <summary>Most tree levels a micro-tile may hold at once: 2³¹ leaves.</summary>
    private const int TreeLevels = 32;

    /// <summary>True when <see cref="RunTree"/> can pack a whole K (all leaves) of a row block and a column block at once.</summary>
    public bool TreeFits(int k) => k == 0 || (TreeBlockRows(k) >= SgemmKernels.MR && TreeBlockCols(k) >= _nr);

    /// <summary>
    /// <c>C = fold over l of op(A)·op(B) restricted to K block l</c> (see the type remarks);
    /// K = <paramref name="leaves"/>·<paramref name="leafK"/>. Requires <see cref="TreeFits"/>(K)
    /// and <paramref name="leaves"/> a power of two.
    /// </summary>
    public void RunTree(bool transposeA, bool transposeB, int m, int n, int leafK, int leaves, float* a, float* b, float* c)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        int k = checked(leafK * leaves);
        if (k == 0)
        {
            ScaleC(c, (long)m * n, 0f);
            return;
        }

        Dispatch(new Problem(transposeA, transposeB, m, n, k, 1f, a, b, 0f, c), leaves);
    }

    /// <summary>Rows of A packed at once: an MC × KC block's worth of floats over the whole K.</summary>
    private static int TreeBlockRows(int k) => Math.Min(MC, MC * KC / k / SgemmKernels.MR * SgemmKernels.MR);

    /// <summary>Columns of B packed at once: a KC × NC block's worth of floats over the whole K.</summary>
    private int TreeBlockCols(int k) => Math.Min(NC, KC * NC / k / _nr * _nr);

    /// <summary>C[m0:m1, n0:n1] of a tree sum on one thread: A and B packed over all of K, then every micro-tile folds its leaves.</summary>
    private void RunTreeTask(in Problem p, int leaves, int m0, int m1, int n0, int n1)
    {
        var workspace = TakeWorkspace();

        try
        {
            int k = p.K, leafK = k / leaves, nr = _nr, mcBlock = TreeBlockRows(k), ncBlock = TreeBlockCols(k);
            for (var jc = n0; jc < n1; jc += ncBlock)
            {
                var nc = Math.Min(ncBlock, n1 - jc);
                SgemmPacking.PackB(p.TransposeB, p.B, p.N, p.K, 0, k, jc, nc, nr, workspace.B);
                for (var ic = m0; ic < m1; ic += mcBlock)
                {
                    var mc = Math.Min(mcBlock, m1 - ic);
                    SgemmPacking.PackA(p.TransposeA, p.A, p.M, p.K, ic, mc, 0, k, workspace.A);
                    for (var jr = 0; jr < nc; jr += nr)
                    {
                        var cols = Math.Min(nr, nc - jr);
                        var bPanel = workspace.B + ((nint)jr * k);
                        for (var ir = 0; ir < mc; ir += SgemmKernels.MR)
                        {
                            var rows = Math.Min(SgemmKernels.MR, mc - ir);
                            var root = TreeTile(workspace.A + ((nint)ir * k), bPanel, leafK, leaves, workspace.Slots);
                            var cTile = p.C + ((nint)(ic + ir) * p.N) + jc + jr;
                            for (var r = 0; r < rows; r++)
                            {
                                new Span<float>(root + (r * nr), cols).CopyTo(new Span<float>(cTile + ((nint)r * p.N), cols));
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ReturnWorkspace(workspace);
        }
    }

    /// <summary>
    /// One MR × NR tile of the tree sum from packed panels over the whole K: each leaf's product
    /// goes to the slot of the next free level, and while the newest node is a right child it is
    /// added into its left sibling (left + right) one level down. Returns the root's slot.
    /// </summary>
    private float* TreeTile(float* aPanel, float* bPanel, int leafK, int leaves, float* slots)
    {
        const int MR = SgemmKernels.MR;
        int nr = _nr, tile = MR * nr, depth = 0;
        for (var leaf = 0; leaf < leaves; leaf++)
        {
            var slot = slots + (depth * tile);
            for (var pc = 0; pc < leafK; pc += KC)
            {
                var k0 = (nint)((leaf * leafK) + pc);
                Kernel(Math.Min(KC, leafK - pc), aPanel + (k0 * MR), 1, MR, bPanel + (k0 * nr), slot, nr, 1f, 0f, first: pc == 0);
            }

            depth++;
            for (var node = leaf; (node & 1) == 1; node >>= 1)
            {
                AddTile(slots + ((depth - 2) * tile), slots + ((depth - 1) * tile), tile);
                depth--;
            }
        }

        return slots;
    }

    /// <summary>left += right over one tile (a multiple of 8 floats).</summary>
    private static void AddTile(float* left, float* right, int count)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            for (var i = 0; i < count; i += 8)
            {
                Vector256.Store(Vector256.Load(left + i) + Vector256.Load(right + i), left + i);
            }
        }
        else
        {
            for (var i = 0; i < count; i += 4)
            {
                Vector128.Store(Vector128.Load(left + i) + Vector128.Load(right + i), left + i);
            }
        }
    }
}
