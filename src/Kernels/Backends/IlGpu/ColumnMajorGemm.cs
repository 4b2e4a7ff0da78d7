namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>
/// The arguments of a column-major BLAS <c>sgemm(opX, opY, M, N, K, α, X, ldx, Y, ldy, β, Z, ldz)</c>,
/// <c>Z = α·opX(X)·opY(Y) + β·Z</c>, that compute a row-major product.
/// </summary>
/// <remarks>
/// A row-major r×c matrix is, read column-major, its transpose (c×r, leading dimension c).
/// So row-major C (m×n) is column-major Cᵀ (n×m, ld n), and Cᵀ = op(B)ᵀ·op(A)ᵀ: the first
/// operand X is B's memory, the second Y is A's. B stored (k, n) reads as Bᵀ (n×k, ld n), which
/// is already op(B)ᵀ: no transpose. B stored transposed (n, k) reads as a k×n matrix (ld k)
/// whose transpose is op(B)ᵀ: transpose. Likewise A: (m, k) reads as Aᵀ (k×m, ld k), no
/// transpose; stored (k, m) reads as m×k (ld m), transpose.
/// </remarks>
internal readonly record struct ColumnMajorGemm(bool TransposeFirst, bool TransposeSecond, int M, int N, int K, int LeadingFirst, int LeadingSecond, int LeadingC)
{
    /// <summary>The call for row-major <c>C (m×n) = α·op(A)·op(B) + β·C</c>; the first operand is B, the second A.</summary>
    public static ColumnMajorGemm ForRowMajor(bool transposeA, bool transposeB, int m, int n, int k) =>
        new(transposeB, transposeA, n, m, k, transposeB ? k : n, transposeA ? m : k, n);
}
