namespace DistTrain.Kernels.Tests.Backends;

/// <summary>GEMM: every transpose case, alpha/beta, edge shapes and row-grouping determinism.</summary>
public abstract partial class BackendContractTests
{
    /// <summary>Odd shapes (m, n, k), some larger than typical cache blocks.</summary>
    private IEnumerable<(int M, int N, int K)> GemmShapes() =>
    [
        (1, 1, 1),
        (2, 3, 1),
        (3, 5, 7),
        (7, 1, 13),
        (1, 9, 17),
        (17, 33, 9),
        (Scaled(67), Scaled(45), Scaled(129)),
        (Scaled(130), Scaled(75), Scaled(300)),
        (Scaled(9), Scaled(260), Scaled(520)),
        (Scaled(50), 20, Scaled(300)),
    ];

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void GemmMatchesTheNaiveReferenceForEveryTransposeCase(bool transposeA, bool transposeB)
    {
        var random = new Random(30);
        foreach (var (m, n, k) in GemmShapes())
        {
            foreach (var (alpha, beta) in new[] { (1f, 0f), (-0.5f, 1f), (2f, -0.75f) })
            {
                CheckGemm(random, transposeA, transposeB, m, n, k, alpha, beta);
            }
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void GemmWithBetaZeroOverwritesNaNsInC(bool transposeA, bool transposeB)
    {
        var random = new Random(31);
        const int M = 13, N = 19, K = 21;
        var a = RandomFloats(random, M * K);
        var b = RandomFloats(random, K * N);
        var c = Upload(Enumerable.Repeat(float.NaN, M * N).ToArray());
        Backend.Gemm(transposeA, transposeB, M, N, K, 1f, Upload(a), Upload(b), 0f, c);
        var (expected, magnitude) = NaiveReference.Gemm(transposeA, transposeB, M, N, K, 1f, a, b, 0f, new float[M * N]);
        AssertGemmClose(expected, magnitude, c.ToArray(), K, "beta = 0 over NaN");
    }

    [Fact]
    public void GemmWithEmptyKScalesCByBeta()
    {
        float[] c = [1f, -2f, 3f, float.NaN];
        var scaled = Upload(c);
        Backend.Gemm(false, false, 2, 2, 0, 1f, Zeros(0), Zeros(0), 0.5f, scaled);
        Assert.Equal([0.5f, -1f, 1.5f, float.NaN], scaled.ToArray());

        var cleared = Upload(c);
        Backend.Gemm(true, true, 2, 2, 0, 1f, Zeros(0), Zeros(0), 0f, cleared);
        Assert.Equal([0f, 0f, 0f, 0f], cleared.ToArray());

        var untouched = Upload(c);
        Backend.Gemm(false, false, 0, 4, 3, 1f, Zeros(0), Zeros(12), 0f, untouched);
        Assert.Equal(c, untouched.ToArray());
    }

    [Fact]
    public void GemmReadsAndWritesOnlyTheGivenSpans()
    {
        var random = new Random(32);
        const int M = 6, N = 10, K = 7;
        var a = RandomFloats(random, M * K);
        var b = RandomFloats(random, K * N);
        var aBuffer = Upload([.. new float[3], .. a]);
        var bBuffer = Upload([.. new float[5], .. b]);
        var cBuffer = Upload(Enumerable.Repeat(42f, (M * N) + 4).ToArray());
        Backend.Gemm(false, false, M, N, K, 1f, aBuffer.Slice(3, M * K), bBuffer.Slice(5, K * N), 0f, cBuffer.Slice(2, M * N));
        var result = cBuffer.ToArray();
        Assert.Equal([42f, 42f], result[..2]);
        Assert.Equal([42f, 42f], result[^2..]);
        var (expected, magnitude) = NaiveReference.Gemm(false, false, M, N, K, 1f, a, b, 0f, new float[M * N]);
        AssertGemmClose(expected, magnitude, result[2..^2], K, "offset spans");
    }

    [Fact]
    public void GemmRejectsSpansTooSmallForTheShape()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => Backend.Gemm(false, false, 4, 4, 4, 1f, Zeros(16), Zeros(16), 0f, Zeros(15)));
        Assert.Contains("c", ex.ParamName ?? ex.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => Backend.Gemm(false, false, 4, 4, 4, 1f, Zeros(12), Zeros(16), 0f, Zeros(16)));
        Assert.ThrowsAny<ArgumentException>(() => Backend.Gemm(false, false, -1, 4, 4, 1f, Zeros(16), Zeros(16), 0f, Zeros(16)));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void GemmGivesARowTheSameBitsWhateverTheNumberOfRows(bool transposeA, bool transposeB)
    {
        // Rows 0..4 of a 37-row product equal a 5-row product bit for bit, and likewise for
        // columns: the accumulation order over k depends only on k.
        var random = new Random(33);
        int n = Scaled(70, 9), k = Scaled(300, 9);
        const int Rows = 37, Few = 5;
        var aRows = RandomFloats(random, Rows * k);
        var b = RandomFloats(random, k * n);
        var full = Product(transposeA, transposeB, Rows, n, k, aRows, b);
        var few = Product(transposeA, transposeB, Few, n, k, FirstRows(aRows, transposeA, Rows, k, Few), b);
        AssertBitIdentical(full[..(Few * n)], few, "first rows");

        // Columns: C[:, :Few] from B restricted to its first Few output columns.
        var narrow = Product(transposeA, transposeB, Rows, Few, k, aRows, FirstColumnsOfB(b, transposeB, k, n, Few));
        var fullColumns = Enumerable.Range(0, Rows).SelectMany(r => full.Skip(r * n).Take(Few)).ToArray();
        AssertBitIdentical(fullColumns, narrow, "first columns");
    }

    private float[] Product(bool transposeA, bool transposeB, int m, int n, int k, float[] a, float[] b)
    {
        var c = Zeros(m * n);
        Backend.Gemm(transposeA, transposeB, m, n, k, 1f, Upload(a), Upload(b), 0f, c);
        return c.ToArray();
    }

    /// <summary>The stored A of the first <paramref name="few"/> rows of op(A).</summary>
    private static float[] FirstRows(float[] a, bool transposeA, int m, int k, int few) =>
        transposeA
            ? Enumerable.Range(0, k).SelectMany(p => a.Skip(p * m).Take(few)).ToArray() // stored (k, m): first few columns
            : a[..(few * k)];

    /// <summary>The stored B of the first <paramref name="few"/> columns of op(B).</summary>
    private static float[] FirstColumnsOfB(float[] b, bool transposeB, int k, int n, int few) =>
        transposeB
            ? b[..(few * k)] // stored (n, k): first few rows
            : Enumerable.Range(0, k).SelectMany(p => b.Skip(p * n).Take(few)).ToArray();

    private void CheckGemm(Random random, bool transposeA, bool transposeB, int m, int n, int k, float alpha, float beta)
    {
        var a = RandomFloats(random, m * k);
        var b = RandomFloats(random, k * n);
        var c = RandomFloats(random, m * n);
        var cBuffer = Upload(c);
        Backend.Gemm(transposeA, transposeB, m, n, k, alpha, Upload(a), Upload(b), beta, cBuffer);
        var (expected, magnitude) = NaiveReference.Gemm(transposeA, transposeB, m, n, k, alpha, a, b, beta, c);
        AssertGemmClose(expected, magnitude, cBuffer.ToArray(), k, $"{(transposeA ? "Aᵀ" : "A")}·{(transposeB ? "Bᵀ" : "B")} {m}x{n}x{k} alpha={alpha} beta={beta}");
    }

    /// <summary>Rounding of a k-term float dot product is bounded by about k·ε times the sum of |terms|.</summary>
    private static void AssertGemmClose(double[] expected, double[] magnitude, float[] actual, int k, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var tolerance = (k + 4) * 2.4e-7 * magnitude[i];
            AssertClose(expected[i], actual[i], tolerance + 1e-30, 0, $"{what} [{i}]");
        }
    }
}
