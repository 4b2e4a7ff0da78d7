using System.Runtime.Intrinsics;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// Copies blocks of A and B into the contiguous panel layouts the micro-kernels stream
/// through, zero-padding partial panels. The transpose cases differ only here.
/// </summary>
/// <remarks>
/// A block: rows [i0, i0+mc) × k [p0, p0+kc) of op(A), as ⌈mc/MR⌉ panels of MR·kc floats,
/// element (r, p) of a panel at <c>p·MR + r</c>.
/// B block: k [p0, p0+kc) × columns [j0, j0+nc) of op(B), as ⌈nc/NR⌉ panels of kc·NR floats,
/// element (p, j) of a panel at <c>p·NR + j</c>.
/// A is stored (m, k), or (k, m) when transposed; B is stored (k, n), or (n, k) when transposed.
/// </remarks>
internal static unsafe class SgemmPacking
{
    private const int MR = SgemmKernels.MR;

    public static void PackA(bool transposeA, float* a, int m, int k, int i0, int mc, int p0, int kc, float* destination)
    {
        for (var panel = 0; panel < mc; panel += MR)
        {
            var rows = Math.Min(MR, mc - panel);
            var dst = destination + ((nint)panel * kc);
            if (transposeA)
            {
                // op(A)(i, p) = a[p·m + i]: each k holds MR consecutive floats.
                var src = a + ((nint)p0 * m) + i0 + panel;
                for (var p = 0; p < kc; p++, src += m, dst += MR)
                {
                    for (var r = 0; r < rows; r++)
                    {
                        dst[r] = src[r];
                    }

                    for (var r = rows; r < MR; r++)
                    {
                        dst[r] = 0f;
                    }
                }
            }
            else
            {
                // op(A)(i, p) = a[i·k + p]: read each row contiguously, write with stride MR.
                for (var r = 0; r < MR; r++)
                {
                    var d = dst + r;
                    if (r < rows)
                    {
                        var src = a + ((nint)(i0 + panel + r) * k) + p0;
                        for (var p = 0; p < kc; p++)
                        {
                            d[p * MR] = src[p];
                        }
                    }
                    else
                    {
                        for (var p = 0; p < kc; p++)
                        {
                            d[p * MR] = 0f;
                        }
                    }
                }
            }
        }
    }

    public static void PackB(bool transposeB, float* b, int n, int k, int p0, int kc, int j0, int nc, int nr, float* destination)
    {
        for (var panel = 0; panel < nc; panel += nr)
        {
            var cols = Math.Min(nr, nc - panel);
            var dst = destination + ((nint)panel * kc);
            if (!transposeB)
            {
                // op(B)(p, j) = b[p·n + j]: each k holds a contiguous row segment.
                var src = b + ((nint)p0 * n) + j0 + panel;
                for (var p = 0; p < kc; p++, src += n, dst += nr)
                {
                    if (cols == nr)
                    {
                        CopyRow(src, dst, nr);
                    }
                    else
                    {
                        for (var j = 0; j < cols; j++)
                        {
                            dst[j] = src[j];
                        }

                        for (var j = cols; j < nr; j++)
                        {
                            dst[j] = 0f;
                        }
                    }
                }
            }
            else
            {
                // op(B)(p, j) = b[j·k + p]: read each stored row contiguously, write with stride nr.
                for (var j = 0; j < nr; j++)
                {
                    var d = dst + j;
                    if (j < cols)
                    {
                        var src = b + ((nint)(j0 + panel + j) * k) + p0;
                        for (var p = 0; p < kc; p++)
                        {
                            d[p * nr] = src[p];
                        }
                    }
                    else
                    {
                        for (var p = 0; p < kc; p++)
                        {
                            d[p * nr] = 0f;
                        }
                    }
                }
            }
        }
    }

    private static void CopyRow(float* src, float* dst, int count)
    {
        for (var j = 0; j < count; j += 8)
        {
            Vector256.Store(Vector256.Load(src + j), dst + j);
        }
    }
}
