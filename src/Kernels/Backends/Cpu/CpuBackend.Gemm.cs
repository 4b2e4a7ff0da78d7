namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>GEMM entry point: argument checks, then <see cref="Sgemm"/>.</summary>
public sealed partial class CpuBackend
{
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
}
