using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>GEMM and the bias ops of a Dense layer.</summary>
public sealed partial class IlGpuBackend
{
    private readonly CuBlas? _cuBlas;

    /// <summary>Threads per group along each axis of the GEMM kernel (a group computes a 4T × 4T tile).</summary>
    internal int GemmThreads { get; }

    private readonly bool _fixedGemmThreads;

    /// <inheritdoc />
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, BufferSpan a, BufferSpan b, float beta, BufferSpan c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var av = View(a, nameof(a));
        var bv = View(b, nameof(b));
        var cv = View(c, nameof(c));
        RequireMatrix(a, nameof(a), transposeA ? k : m, transposeA ? m : k);
        RequireMatrix(b, nameof(b), transposeB ? n : k, transposeB ? k : n);
        RequireMatrix(c, nameof(c), m, n);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            // op(A)·op(B) is all zeros: C = beta·C, overwritten when beta = 0 (A and B are empty, so no kernel reads them).
            var product = c.Slice(0, m * n);
            if (beta == 0f)
            {
                Fill(product, 0f);
            }
            else if (beta != 1f)
            {
                Scale(product, beta);
            }

            return;
        }

        if (_cuBlas is not null)
        {
            GemmCuBlas(transposeA, transposeB, m, n, k, alpha, av, bv, beta, cv);
            return;
        }

        var threads = GemmThreads;
        if (!_fixedGemmThreads)
        {
            // 64×64 tiles leave most multiprocessors idle on small products (a batch of 200 gives
            // 4 tile rows); 32×32 tiles give four times the groups. Bits do not depend on the tile.
            while (threads > 8 && GroupCount(m, n, threads) < 2 * Accelerator.NumMultiprocessors)
            {
                threads /= 2;
            }
        }

        var tile = GemmKernels.Micro * threads;
        var grid = new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile);
        var config = new KernelConfig(grid, new Index2D(threads, threads), SharedMemoryConfig.RequestDynamic<float>(GemmKernels.SharedFloats(threads)));
        _kernels.Gemm(config, av, bv, cv, new GemmArguments(m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0, alpha, beta));
    }

    private void GemmCuBlas(bool transposeA, bool transposeB, int m, int n, int k, float alpha, ArrayView<float> a, ArrayView<float> b, float beta, ArrayView<float> c)
    {
        var call = ColumnMajorGemm.ForRowMajor(transposeA, transposeB, m, n, k);
        _cuBlas!.Gemm(
            call.TransposeFirst ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
            call.TransposeSecond ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
            call.M,
            call.N,
            call.K,
            alpha,
            b,
            call.LeadingFirst,
            a,
            call.LeadingSecond,
            beta,
            c,
            call.LeadingC);
    }

    /// <inheritdoc />
    public void AddBias(BufferSpan x, BufferSpan bias, int rows, int cols)
    {
        var xv = View(x, nameof(x));
        var bv = View(bias, nameof(bias));
        RequireMatrix(x, nameof(x), rows, cols);
        RequireMatrix(bias, nameof(bias), 1, cols);
        if (rows > 0 && cols > 0)
        {
            _kernels.AddBias(rows * cols, xv, bv, cols);
        }
    }

    /// <inheritdoc />
    public void BiasGradient(BufferSpan gradOutput, BufferSpan gradBias, int rows, int cols, bool accumulate)
    {
        var gv = View(gradOutput, nameof(gradOutput));
        var bv = View(gradBias, nameof(gradBias));
        RequireMatrix(gradOutput, nameof(gradOutput), rows, cols);
        RequireMatrix(gradBias, nameof(gradBias), 1, cols);
        if (cols > 0)
        {
            _kernels.BiasGradient(cols, rows > 0 ? gv : bv, bv, rows, cols, accumulate ? 1 : 0);
        }
    }

    private static long GroupCount(int m, int n, int threads)
    {
        var tile = GemmKernels.Micro * threads;
        return (long)((m + tile - 1) / tile) * ((n + tile - 1) / tile);
    }

    /// <summary>
    /// 16×16 threads (64×64 tiles) where the device allows; smaller on ILGPU's CPU accelerator,
    /// whose barriers cost a thread switch per emulated thread.
    /// </summary>
    private static int ChooseGemmThreads(Accelerator accelerator)
    {
        var preferred = accelerator.AcceleratorType == AcceleratorType.CPU ? 4 : 16;
        for (var threads = preferred; threads >= 1; threads /= 2)
        {
            var fits = threads * threads <= accelerator.MaxNumThreadsPerGroup
                && threads <= accelerator.MaxGroupSize.X
                && threads <= accelerator.MaxGroupSize.Y
                && GemmKernels.SharedFloats(threads) * sizeof(float) <= accelerator.MaxSharedMemoryPerGroup;
            if (fits)
            {
                return threads;
            }
        }

        throw new NotSupportedException($"Accelerator {accelerator.Name} cannot run even a 1×1 GEMM group.");
    }
}
