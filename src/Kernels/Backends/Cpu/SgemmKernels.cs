using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// Register-blocked SGEMM micro-kernels: an <c>MR × NR</c> tile of C held in vector
/// registers, updated by one broadcast of A and NR/width loads of B per k. Each accumulator
/// lane is one output element, advanced by a fused multiply-add per k in increasing order,
/// so the tile's position and the kernel's width never change the bits.
/// </summary>
/// <remarks>
/// Packed layouts (see <see cref="SgemmPacking"/>): A panel element (r, p) at <c>a[p·MR + r]</c>;
/// B panel element (p, j) at <c>b[p·NR + j]</c>. A is read as element (r, p) at
/// <c>a[r·rowStride + p·kStride]</c>: packed (1, MR), or straight from row-major storage
/// when packing would not pay. After the k loop the tile is written as
/// <c>C = alpha·acc + beta·C</c> (<c>C = alpha·acc</c> when beta is 0) for the first K block
/// and <c>C = C + alpha·acc</c> for the later ones.
/// </remarks>
internal static unsafe class SgemmKernels
{
    /// <summary>Rows of the micro-tile (every kernel).</summary>
    public const int MR = 6;

    /// <summary>Columns of the Vector128 kernel's micro-tile: two vectors.</summary>
    public const int NR128 = 8;

    /// <summary>Columns of the Vector256 kernel's micro-tile: two vectors.</summary>
    public const int NR256 = 16;

    /// <summary>Columns of the Vector512 kernel's micro-tile: two vectors.</summary>
    public const int NR512 = 32;

    /// <summary>6 × 8 tile with twelve Vector128 accumulators (SSE/FMA, Arm AdvSimd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x8(int kc, float* a, nint rowStride, nint kStride, float* b, float* c, nint ldc, float alpha, float beta, bool first)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        var rowStride2 = rowStride * 2;
        var a3 = a + (rowStride * 3);
        var kStrideBytes = kStride * sizeof(float);
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            var av = Vector128.Create(a[0]);
            c00 = Vector128.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector128.FusedMultiplyAdd(av, b1, c01);
            av = Vector128.Create(a[rowStride]);
            c10 = Vector128.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector128.FusedMultiplyAdd(av, b1, c11);
            av = Vector128.Create(a[rowStride2]);
            c20 = Vector128.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector128.FusedMultiplyAdd(av, b1, c21);
            av = Vector128.Create(a3[0]);
            c30 = Vector128.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector128.FusedMultiplyAdd(av, b1, c31);
            av = Vector128.Create(a3[rowStride]);
            c40 = Vector128.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector128.FusedMultiplyAdd(av, b1, c41);
            av = Vector128.Create(a3[rowStride2]);
            c50 = Vector128.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector128.FusedMultiplyAdd(av, b1, c51);
            a = (float*)((byte*)a + kStrideBytes);
            a3 = (float*)((byte*)a3 + kStrideBytes);
            b += NR128;
        }

        var alphaV = Vector128.Create(alpha);
        var betaV = Vector128.Create(beta);
        Store(c, c00, alphaV, betaV, beta, first);
        Store(c + 4, c01, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c10, alphaV, betaV, beta, first);
        Store(c + 4, c11, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c20, alphaV, betaV, beta, first);
        Store(c + 4, c21, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c30, alphaV, betaV, beta, first);
        Store(c + 4, c31, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c40, alphaV, betaV, beta, first);
        Store(c + 4, c41, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c50, alphaV, betaV, beta, first);
        Store(c + 4, c51, alphaV, betaV, beta, first);
    }

    /// <summary>6 × 16 tile with twelve Vector256 accumulators (AVX2 + FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x16(int kc, float* a, nint rowStride, nint kStride, float* b, float* c, nint ldc, float alpha, float beta, bool first)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        var rowStride2 = rowStride * 2;
        var a3 = a + (rowStride * 3);
        var kStrideBytes = kStride * sizeof(float);
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[rowStride]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[rowStride2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a3[0]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a3[rowStride]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a3[rowStride2]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            a = (float*)((byte*)a + kStrideBytes);
            a3 = (float*)((byte*)a3 + kStrideBytes);
            b += NR256;
        }

        var alphaV = Vector256.Create(alpha);
        var betaV = Vector256.Create(beta);
        Store(c, c00, alphaV, betaV, beta, first);
        Store(c + 8, c01, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c10, alphaV, betaV, beta, first);
        Store(c + 8, c11, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c20, alphaV, betaV, beta, first);
        Store(c + 8, c21, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c30, alphaV, betaV, beta, first);
        Store(c + 8, c31, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c40, alphaV, betaV, beta, first);
        Store(c + 8, c41, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c50, alphaV, betaV, beta, first);
        Store(c + 8, c51, alphaV, betaV, beta, first);
    }

    /// <summary>6 × 32 tile with twelve Vector512 accumulators (AVX-512F).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x32(int kc, float* a, nint rowStride, nint kStride, float* b, float* c, nint ldc, float alpha, float beta, bool first)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        var rowStride2 = rowStride * 2;
        var a3 = a + (rowStride * 3);
        var kStrideBytes = kStride * sizeof(float);
        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var av = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[rowStride]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[rowStride2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a3[0]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a3[rowStride]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a3[rowStride2]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            a = (float*)((byte*)a + kStrideBytes);
            a3 = (float*)((byte*)a3 + kStrideBytes);
            b += NR512;
        }

        var alphaV = Vector512.Create(alpha);
        var betaV = Vector512.Create(beta);
        Store(c, c00, alphaV, betaV, beta, first);
        Store(c + 16, c01, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c10, alphaV, betaV, beta, first);
        Store(c + 16, c11, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c20, alphaV, betaV, beta, first);
        Store(c + 16, c21, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c30, alphaV, betaV, beta, first);
        Store(c + 16, c31, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c40, alphaV, betaV, beta, first);
        Store(c + 16, c41, alphaV, betaV, beta, first);
        c += ldc;
        Store(c, c50, alphaV, betaV, beta, first);
        Store(c + 16, c51, alphaV, betaV, beta, first);
    }

    /// <summary>Writes one accumulator: separate multiplies and adds, never contracted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector128<float> acc, Vector128<float> alpha, Vector128<float> betaV, float beta, bool first)
    {
        var scaled = alpha * acc;
        if (!first)
        {
            Vector128.Store(Vector128.Load(c) + scaled, c);
        }
        else if (beta == 0f)
        {
            Vector128.Store(scaled, c);
        }
        else
        {
            Vector128.Store(scaled + (betaV * Vector128.Load(c)), c);
        }
    }

    /// <summary>Writes one accumulator: separate multiplies and adds, never contracted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> acc, Vector256<float> alpha, Vector256<float> betaV, float beta, bool first)
    {
        var scaled = alpha * acc;
        if (!first)
        {
            Vector256.Store(Vector256.Load(c) + scaled, c);
        }
        else if (beta == 0f)
        {
            Vector256.Store(scaled, c);
        }
        else
        {
            Vector256.Store(scaled + (betaV * Vector256.Load(c)), c);
        }
    }

    /// <summary>Writes one accumulator: separate multiplies and adds, never contracted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> acc, Vector512<float> alpha, Vector512<float> betaV, float beta, bool first)
    {
        var scaled = alpha * acc;
        if (!first)
        {
            Vector512.Store(Vector512.Load(c) + scaled, c);
        }
        else if (beta == 0f)
        {
            Vector512.Store(scaled, c);
        }
        else
        {
            Vector512.Store(scaled + (betaV * Vector512.Load(c)), c);
        }
    }
}
