using DistTrain.Kernels.Backends.IlGpu;

namespace DistTrain.Kernels.Tests.Backends.IlGpu;

/// <summary>
/// The mapping of a row-major GEMM onto column-major cuBLAS, checked with a naive column-major
/// sgemm that follows the BLAS definition (so the cuBLAS call is right before a GPU runs it).
/// </summary>
public sealed class ColumnMajorGemmTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void AColumnMajorSgemmWithTheMappedArgumentsComputesTheRowMajorProduct(bool transposeA, bool transposeB)
    {
        const int M = 5, N = 7, K = 3;
        var random = new Random(60);
        var a = Enumerable.Range(0, M * K).Select(_ => (float)random.Next(-4, 5)).ToArray();
        var b = Enumerable.Range(0, K * N).Select(_ => (float)random.Next(-4, 5)).ToArray();
        var c = Enumerable.Range(0, M * N).Select(_ => (float)random.Next(-4, 5)).ToArray();
        var (expected, _) = NaiveReference.Gemm(transposeA, transposeB, M, N, K, 2f, a, b, 0.5f, c);

        var call = ColumnMajorGemm.ForRowMajor(transposeA, transposeB, M, N, K);
        ColumnMajorSgemm(call, 2f, b, a, 0.5f, c);

        // Small integers: every product and sum is exact, so the results must match exactly.
        Assert.Equal(expected.Select(value => (float)value), c);
        Assert.True(call.LeadingFirst >= Math.Max(1, call.TransposeFirst ? call.K : call.M));
        Assert.True(call.LeadingSecond >= Math.Max(1, call.TransposeSecond ? call.N : call.K));
        Assert.True(call.LeadingC >= Math.Max(1, call.M));
    }

    /// <summary>BLAS sgemm: Z[i + j·ldz] = α·Σ_p opX(X)[i, p]·opY(Y)[p, j] + β·Z, all column-major.</summary>
    private static void ColumnMajorSgemm(ColumnMajorGemm call, float alpha, float[] x, float[] y, float beta, float[] z)
    {
        for (var j = 0; j < call.N; j++)
        {
            for (var i = 0; i < call.M; i++)
            {
                var sum = 0f;
                for (var p = 0; p < call.K; p++)
                {
                    var xv = call.TransposeFirst ? x[p + (i * call.LeadingFirst)] : x[i + (p * call.LeadingFirst)];
                    var yv = call.TransposeSecond ? y[j + (p * call.LeadingSecond)] : y[p + (j * call.LeadingSecond)];
                    sum += xv * yv;
                }

                var index = i + (j * call.LeadingC);
                z[index] = (alpha * sum) + (beta * z[index]);
            }
        }
    }
}
