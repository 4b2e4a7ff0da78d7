namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// Single-precision GEMM on row-major host memory: <c>C = alpha·op(A)·op(B) + beta·C</c>.
/// Each output element is accumulated over k in increasing order with fused multiply-adds,
/// whatever the shape or thread count.
/// </summary>
internal sealed unsafe class Sgemm : IDisposable
{
    private readonly ParallelOptions _options;

    public Sgemm(int maxThreads)
    {
        _options = new ParallelOptions { MaxDegreeOfParallelism = maxThreads };
    }

    public void Run(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, float* b, float beta, float* c)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        var pa = (nint)a;
        var pb = (nint)b;
        var pc = (nint)c;
        Parallel.For(0, m, _options, i => Row(transposeA, transposeB, m, n, k, alpha, (float*)pa, (float*)pb, beta, (float*)pc, i));
    }

    private static void Row(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, float* b, float beta, float* c, int i)
    {
        var cRow = c + ((long)i * n);
        for (var j = 0; j < n; j++)
        {
            var acc = 0f;
            for (var p = 0; p < k; p++)
            {
                var av = transposeA ? a[((long)p * m) + i] : a[((long)i * k) + p];
                var bv = transposeB ? b[((long)j * k) + p] : b[((long)p * n) + j];
                acc = MathF.FusedMultiplyAdd(av, bv, acc);
            }

            cRow[j] = beta == 0f ? alpha * acc : (alpha * acc) + (beta * cRow[j]);
        }
    }

    public void Dispose()
    {
    }
}
