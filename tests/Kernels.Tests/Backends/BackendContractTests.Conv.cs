using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tests.Backends;

/// <summary>Conv2D packing (im2col, col2im) against the naive definitions: odd sizes, stride 1 and 2, both paddings.</summary>
public abstract partial class BackendContractTests
{
    /// <summary>(batch, h, w, c, kh, kw, stride h, stride w, padding): odd and even sizes, asymmetric 'same' padding, windows larger than the image.</summary>
    public static TheoryData<int, int, int, int, int, int, int, int, PaddingKind> ConvGeometries => new()
    {
        { 2, 7, 5, 3, 3, 3, 1, 1, PaddingKind.Same },
        { 2, 7, 5, 3, 3, 3, 1, 1, PaddingKind.Valid },
        { 3, 9, 7, 2, 3, 3, 2, 2, PaddingKind.Same },
        { 3, 9, 7, 2, 3, 3, 2, 2, PaddingKind.Valid },
        { 1, 6, 8, 1, 4, 2, 2, 3, PaddingKind.Same },
        { 2, 5, 5, 4, 5, 5, 1, 1, PaddingKind.Valid },
        { 1, 3, 2, 3, 4, 4, 2, 1, PaddingKind.Same },
        { 2, 11, 13, 5, 1, 1, 2, 2, PaddingKind.Valid },
    };

    [Theory]
    [MemberData(nameof(ConvGeometries))]
    public void Im2ColCopiesEveryPatchCellAndZeroesThePadding(int batch, int h, int w, int c, int kh, int kw, int sh, int sw, PaddingKind padding)
    {
        var window = new Window2D(h, w, c, kh, kw, sh, sw, padding);
        var input = RandomFloats(new Random(60), batch * window.InputSize);
        var columns = Upload(Enumerable.Repeat(float.NaN, batch * window.OutputPixels * window.PatchSize).ToArray());
        Backend.Im2Col(Upload(input), columns, batch, window);
        AssertBitIdentical(NaiveImageReference.Im2Col(input, batch, window), columns.ToArray(), $"im2col {window}");
    }

    [Theory]
    [MemberData(nameof(ConvGeometries))]
    public void Im2ColThenGemmWithTheKernelAsAMatrixIsTheConvolution(int batch, int h, int w, int c, int kh, int kw, int sh, int sw, PaddingKind padding)
    {
        const int Filters = 5;
        var window = new Window2D(h, w, c, kh, kw, sh, sw, padding);
        var random = new Random(61);
        var input = RandomFloats(random, batch * window.InputSize);
        var kernel = RandomFloats(random, window.PatchSize * Filters);
        int rows = batch * window.OutputPixels;
        var columns = Zeros(rows * window.PatchSize);
        var output = Zeros(rows * Filters);
        Backend.Im2Col(Upload(input), columns, batch, window);
        Backend.Gemm(false, false, rows, Filters, window.PatchSize, 1f, columns, Upload(kernel), 0f, output);
        var (expected, magnitude) = NaiveImageReference.Convolution(input, kernel, batch, window, Filters);
        AssertAllClose(expected, magnitude, output.ToArray(), window.PatchSize, $"conv {window}");
    }

    [Theory]
    [MemberData(nameof(ConvGeometries))]
    public void Col2ImAddsEveryColumnElementIntoItsInputCell(int batch, int h, int w, int c, int kh, int kw, int sh, int sw, PaddingKind padding)
    {
        var window = new Window2D(h, w, c, kh, kw, sh, sw, padding);
        var columns = RandomFloats(new Random(62), batch * window.OutputPixels * window.PatchSize);
        var gradInput = Upload(Enumerable.Repeat(float.NaN, batch * window.InputSize).ToArray());
        Backend.Col2Im(Upload(columns), gradInput, batch, window);
        var expected = NaiveImageReference.Col2Im(columns, batch, window);
        var magnitude = NaiveImageReference.Col2Im([.. columns.Select(Math.Abs)], batch, window);
        AssertAllClose(expected, magnitude, gradInput.ToArray(), window.WindowHeight * window.WindowWidth, $"col2im {window}");
    }

    [Fact]
    public void Col2ImIsTheAdjointOfIm2Col()
    {
        // <im2col(x), y> = <x, col2im(y)>: the identity the convolution's input gradient relies on.
        var window = new Window2D(8, 7, 3, 3, 3, 2, 2, PaddingKind.Same);
        const int Batch = 2;
        var random = new Random(63);
        var x = RandomFloats(random, Batch * window.InputSize);
        var y = RandomFloats(random, Batch * window.OutputPixels * window.PatchSize);
        var columns = Zeros(y.Length);
        var back = Zeros(x.Length);
        Backend.Im2Col(Upload(x), columns, Batch, window);
        Backend.Col2Im(Upload(y), back, Batch, window);
        double left = columns.ToArray().Zip(y, (a, b) => (double)a * b).Sum();
        double right = back.ToArray().Zip(x, (a, b) => (double)a * b).Sum();
        AssertClose(left, right, 1e-4, 1e-5, "adjoint");
    }

    [Fact]
    public void ImageOperationsRejectSpansTooSmallForTheGeometry()
    {
        var window = new Window2D(5, 5, 2, 3, 3, 1, 1, PaddingKind.Same);
        var ex = Assert.ThrowsAny<ArgumentException>(() => Backend.Im2Col(Zeros(window.InputSize), Zeros(window.OutputPixels * window.PatchSize - 1), 1, window));
        Assert.Contains("columns", ex.ParamName ?? ex.Message, StringComparison.Ordinal);
        ex = Assert.ThrowsAny<ArgumentException>(() => Backend.MaxPoolForward(Zeros(window.InputSize * 2 - 1), Zeros(window.PooledSize * 2), 2, window));
        Assert.Contains("input", ex.ParamName ?? ex.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => Backend.UpSampleForward(Zeros(12), Zeros(47), 1, 2, 3, 2, 2, 2));
    }

    /// <summary>Each element within (terms + 4)·ε of the magnitude Σ|terms| that bounds float rounding.</summary>
    private static void AssertAllClose(double[] expected, double[] magnitude, float[] actual, int terms, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            AssertClose(expected[i], actual[i], ((terms + 4) * 2.4e-7 * magnitude[i]) + 1e-30, 0, $"{what} [{i}]");
        }
    }
}
