namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>Vector width of the SGEMM micro-kernel. Every width gives the same bits; only speed differs.</summary>
internal enum SgemmWidth
{
    /// <summary>6 × 8 tile of Vector128 (SSE, Arm AdvSimd).</summary>
    Vector128,

    /// <summary>6 × 16 tile of Vector256 (AVX2 + FMA).</summary>
    Vector256,

    /// <summary>6 × 32 tile of Vector512 (AVX-512F).</summary>
    Vector512,
}
