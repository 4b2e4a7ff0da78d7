using ILGPU;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>
/// Tiled SGEMM <c>C = alpha·op(A)·op(B) + beta·C</c>, row-major, for every transpose case.
/// </summary>
/// <remarks>
/// A group of T×T threads computes a (4T)×(4T) tile of C; each thread owns a 4×4 block of
/// it, strided by T so that neighbouring threads touch neighbouring columns. Per step the
/// group stages a (4T)×16 panel of op(A) and a 16×(4T) panel of op(B) in shared memory
/// (dynamic; each of the 16 panel rows padded to 4T + 1 floats so that the transposing stores
/// of a warp fall into different banks). Every output element has one accumulator that adds
/// a[i, p]·b[p, j] for p = 0, 1, …, k − 1 in order and never adds padding, so its bits depend
/// on k alone: not on m, n, T or the tile an element falls into. alpha and beta are applied
/// once at the end; with beta = 0, C is not read.
/// </remarks>
internal static class GemmKernels
{
    /// <summary>Depth of the staged panels.</summary>
    public const int TileK = 16;

    /// <summary>Outputs per thread along each axis.</summary>
    public const int Micro = 4;

    /// <summary>Shared floats a group of T×T threads needs.</summary>
    public static int SharedFloats(int threads) => 2 * TileK * ((Micro * threads) + 1);

    /// <summary>
    /// The kernel; grid: (⌈n/4T⌉, ⌈m/4T⌉) groups of (T, T) threads.
    /// a: (m, k), or (k, m) when transposed; b: (k, n), or (n, k) when transposed; c: (m, n).
    /// </summary>
    public static void GemmKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmArguments p)
    {
        var threads = Group.DimX;
        var tile = Micro * threads;
        var groupSize = threads * threads;
        var loads = TileK * tile / groupSize;
        var pitch = tile + 1;
        var shared = SharedMemory.GetDynamic<float>();
        var panelA = shared.SubView(0, TileK * pitch);
        var panelB = shared.SubView(TileK * pitch, TileK * pitch);

        var tx = Group.IdxX;
        var ty = Group.IdxY;
        var thread = (ty * threads) + tx;
        var row0 = Grid.IdxY * tile;
        var col0 = Grid.IdxX * tile;

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;

        for (var k0 = 0; k0 < p.K; k0 += TileK)
        {
            for (var l = 0; l < loads; l++)
            {
                // Element e of each panel; the index split follows the stored layout so that
                // neighbouring threads read neighbouring addresses.
                var e = thread + (groupSize * l);
                int r, q;
                if (p.TransposeA == 0)
                {
                    r = e / TileK;
                    q = e % TileK;
                }
                else
                {
                    r = e % tile;
                    q = e / tile;
                }

                var gr = row0 + r;
                var gq = k0 + q;
                panelA[(q * pitch) + r] = gr < p.M && gq < p.K
                    ? a[p.TransposeA == 0 ? (gr * p.K) + gq : (gq * p.M) + gr]
                    : 0f;

                int col;
                if (p.TransposeB == 0)
                {
                    col = e % tile;
                    q = e / tile;
                }
                else
                {
                    q = e % TileK;
                    col = e / TileK;
                }

                var gc = col0 + col;
                gq = k0 + q;
                panelB[(q * pitch) + col] = gc < p.N && gq < p.K
                    ? b[p.TransposeB == 0 ? (gq * p.N) + gc : (gc * p.K) + gq]
                    : 0f;
            }

            Group.Barrier();

            // Stop at k: padded zeros are never added, so k alone fixes the order.
            var depth = p.K - k0 < TileK ? p.K - k0 : TileK;
            for (var q = 0; q < depth; q++)
            {
                var ai = (q * pitch) + ty;
                var bi = (q * pitch) + tx;
                var a0 = panelA[ai];
                var a1 = panelA[ai + threads];
                var a2 = panelA[ai + (2 * threads)];
                var a3 = panelA[ai + (3 * threads)];
                var b0 = panelB[bi];
                var b1 = panelB[bi + threads];
                var b2 = panelB[bi + (2 * threads)];
                var b3 = panelB[bi + (3 * threads)];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }

            Group.Barrier();
        }

        var row = row0 + ty;
        var column = col0 + tx;
        StoreRow(c, p, row, column, threads, c00, c01, c02, c03);
        StoreRow(c, p, row + threads, column, threads, c10, c11, c12, c13);
        StoreRow(c, p, row + (2 * threads), column, threads, c20, c21, c22, c23);
        StoreRow(c, p, row + (3 * threads), column, threads, c30, c31, c32, c33);
    }

    private static void StoreRow(ArrayView<float> c, GemmArguments p, int row, int column, int stride, float v0, float v1, float v2, float v3)
    {
        if (row >= p.M)
        {
            return;
        }

        Store(c, p, row, column, v0);
        Store(c, p, row, column + stride, v1);
        Store(c, p, row, column + (2 * stride), v2);
        Store(c, p, row, column + (3 * stride), v3);
    }

    private static void Store(ArrayView<float> c, GemmArguments p, int row, int column, float sum)
    {
        if (column >= p.N)
        {
            return;
        }

        var index = (row * p.N) + column;
        c[index] = p.Beta == 0f ? p.Alpha * sum : (p.Alpha * sum) + (p.Beta * c[index]);
    }
}

/// <summary>Shape and scalars of one GEMM launch (transposes as 0/1 for the device).</summary>
internal readonly record struct GemmArguments(int M, int N, int K, int TransposeA, int TransposeB, float Alpha, float Beta);
