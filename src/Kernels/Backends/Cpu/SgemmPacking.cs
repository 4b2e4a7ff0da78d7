using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// Copies blocks of A and B into the contiguous panel layouts the micro-kernels stream
/// through, zero-padding partial panels. The transpose cases differ only here; strided
/// copies go through 8 × 8 AVX transposes.
/// </summary>
/// <remarks>
/// A block: rows [i0, i0+mc) × k [p0, p0+kc) of op(A), as ⌈mc/MR⌉ panels of MR·kc floats,
/// element (r, p) of a panel at <c>p·MR + r</c>.
/// B block: k [p0, p0+kc) × columns [j0, j0+nc) of op(B), as ⌈nc/NR⌉ panels of kc·NR floats,
/// element (p, j) of a panel at <c>p·NR + j</c>.
/// A is stored (m, k), or (k, m) when transposed; B is stored (k, n), or (n, k) when transposed.
/// The A destination needs <see cref="Slack"/> floats beyond its panels: rows of 8 are stored
/// with an overlap of 2.
/// </remarks>
internal static unsafe class SgemmPacking
{
    /// <summary>Floats the A destination needs beyond its panels.</summary>
    public const int Slack = 8;

    private const int MR = SgemmKernels.MR;

    public static void PackA(bool transposeA, float* a, int m, int k, int i0, int mc, int p0, int kc, float* destination)
    {
        for (var panel = 0; panel < mc; panel += MR)
        {
            var rows = Math.Min(MR, mc - panel);
            var dst = destination + ((nint)panel * kc);
            if (transposeA)
            {
                PackATransposedPanel(a + ((nint)p0 * m) + i0 + panel, m, rows, kc, dst, canReadEight: i0 + panel + 8 <= m);
            }
            else
            {
                PackAPanel(a + ((nint)(i0 + panel) * k) + p0, k, rows, kc, dst);
            }
        }
    }

    public static void PackB(bool transposeB, float* b, int n, int k, int p0, int kc, int j0, int nc, int nr, float* destination)
    {
        for (var panel = 0; panel < nc; panel += nr)
        {
            var cols = Math.Min(nr, nc - panel);
            var dst = destination + ((nint)panel * kc);
            if (transposeB)
            {
                PackBTransposedPanel(b + ((nint)(j0 + panel) * k) + p0, k, cols, kc, nr, dst);
            }
            else
            {
                PackBPanel(b + ((nint)p0 * n) + j0 + panel, n, cols, kc, nr, dst);
            }
        }
    }

    /// <summary>op(A)(r, p) = src[r·lda + p]: transposes 8 k at a time from the panel's rows.</summary>
    private static void PackAPanel(float* src, nint lda, int rows, int kc, float* dst)
    {
        var p = 0;
        if (Avx.IsSupported)
        {
            for (; p + 8 <= kc; p += 8)
            {
                var r0 = LoadRow(src, lda, 0, rows, p);
                var r1 = LoadRow(src, lda, 1, rows, p);
                var r2 = LoadRow(src, lda, 2, rows, p);
                var r3 = LoadRow(src, lda, 3, rows, p);
                var r4 = LoadRow(src, lda, 4, rows, p);
                var r5 = LoadRow(src, lda, 5, rows, p);
                Transpose6x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, out var r6, out var r7);

                // Column q of the 8 × 8 block holds (A[0..5, p+q], 0, 0): store 8, advance 6.
                var d = dst + (p * MR);
                Vector256.Store(r0, d);
                Vector256.Store(r1, d + MR);
                Vector256.Store(r2, d + (2 * MR));
                Vector256.Store(r3, d + (3 * MR));
                Vector256.Store(r4, d + (4 * MR));
                Vector256.Store(r5, d + (5 * MR));
                Vector256.Store(r6, d + (6 * MR));
                Vector256.Store(r7, d + (7 * MR));
            }
        }

        for (; p < kc; p++)
        {
            for (var r = 0; r < MR; r++)
            {
                dst[(p * MR) + r] = r < rows ? src[(r * lda) + p] : 0f;
            }
        }
    }

    /// <summary>op(A)(r, p) = src[p·lda + r]: MR consecutive floats per k.</summary>
    private static void PackATransposedPanel(float* src, nint lda, int rows, int kc, float* dst, bool canReadEight)
    {
        if (rows == MR && canReadEight && Vector256.IsHardwareAccelerated)
        {
            // Load and store 8, advancing 6: the 2 extra floats are overwritten by the next k.
            for (var p = 0; p < kc; p++, src += lda, dst += MR)
            {
                Vector256.Store(Vector256.Load(src), dst);
            }

            return;
        }

        for (var p = 0; p < kc; p++, src += lda, dst += MR)
        {
            for (var r = 0; r < MR; r++)
            {
                dst[r] = r < rows ? src[r] : 0f;
            }
        }
    }

    /// <summary>op(B)(p, j) = src[p·ldb + j]: a contiguous row segment per k.</summary>
    private static void PackBPanel(float* src, nint ldb, int cols, int kc, int nr, float* dst)
    {
        if (cols == nr)
        {
            for (var p = 0; p < kc; p++, src += ldb, dst += nr)
            {
                CopyRow(src, dst, nr);
            }

            return;
        }

        for (var p = 0; p < kc; p++, src += ldb, dst += nr)
        {
            for (var j = 0; j < nr; j++)
            {
                dst[j] = j < cols ? src[j] : 0f;
            }
        }
    }

    /// <summary>op(B)(p, j) = src[j·ldb + p]: 8 × 8 transposes of 8 stored rows (columns of op(B)).</summary>
    private static void PackBTransposedPanel(float* src, nint ldb, int cols, int kc, int nr, float* dst)
    {
        var p = 0;
        if (Avx.IsSupported)
        {
            for (; p + 8 <= kc; p += 8)
            {
                for (var j = 0; j < nr; j += 8)
                {
                    var s = src + (j * ldb);
                    var live = cols - j;
                    var r0 = LoadRow(s, ldb, 0, live, p);
                    var r1 = LoadRow(s, ldb, 1, live, p);
                    var r2 = LoadRow(s, ldb, 2, live, p);
                    var r3 = LoadRow(s, ldb, 3, live, p);
                    var r4 = LoadRow(s, ldb, 4, live, p);
                    var r5 = LoadRow(s, ldb, 5, live, p);
                    var r6 = LoadRow(s, ldb, 6, live, p);
                    var r7 = LoadRow(s, ldb, 7, live, p);
                    Transpose8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
                    var d = dst + (p * nr) + j;
                    Vector256.Store(r0, d);
                    Vector256.Store(r1, d + nr);
                    Vector256.Store(r2, d + (2 * nr));
                    Vector256.Store(r3, d + (3 * nr));
                    Vector256.Store(r4, d + (4 * nr));
                    Vector256.Store(r5, d + (5 * nr));
                    Vector256.Store(r6, d + (6 * nr));
                    Vector256.Store(r7, d + (7 * nr));
                }
            }
        }

        for (; p < kc; p++)
        {
            for (var j = 0; j < nr; j++)
            {
                dst[(p * nr) + j] = j < cols ? src[(j * ldb) + p] : 0f;
            }
        }
    }

    private static void CopyRow(float* src, float* dst, int count)
    {
        // Panel widths are multiples of 4; Vector128 is accelerated on every target.
        for (var j = 0; j < count; j += 4)
        {
            Vector128.Store(Vector128.Load(src + j), dst + j);
        }
    }

    /// <summary>Eight floats of stored row <paramref name="row"/> from <paramref name="p"/>, or zeros past the live rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> LoadRow(float* src, nint stride, int row, int live, int p) =>
        row < live ? Vector256.Load(src + (row * stride) + p) : Vector256<float>.Zero;

    /// <summary>8 × 8 transpose in registers; rows 6 and 7 enter as zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose6x8(
        ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, out Vector256<float> r6, out Vector256<float> r7)
    {
        r6 = Vector256<float>.Zero;
        r7 = Vector256<float>.Zero;
        Transpose8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
    }

    /// <summary>8 × 8 transpose in registers: on return rQ holds column Q of the input rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(
        ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        r0 = Avx.Permute2x128(s0, s4, 0x20);
        r1 = Avx.Permute2x128(s1, s5, 0x20);
        r2 = Avx.Permute2x128(s2, s6, 0x20);
        r3 = Avx.Permute2x128(s3, s7, 0x20);
        r4 = Avx.Permute2x128(s0, s4, 0x31);
        r5 = Avx.Permute2x128(s1, s5, 0x31);
        r6 = Avx.Permute2x128(s2, s6, 0x31);
        r7 = Avx.Permute2x128(s3, s7, 0x31);
    }
}
