using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tests.Backends;

/// <summary>Output sizes and padding follow TensorFlow's arithmetic.</summary>
public sealed class Window2DTests
{
    [Theory]
    [InlineData(7, 3, 2, 4, 1)] // pad_total = 3·2 + 3 − 7 = 2: one before, one after
    [InlineData(6, 3, 2, 3, 0)] // pad_total = 1: the extra cell goes after
    [InlineData(5, 4, 1, 5, 1)] // pad_total = 3
    [InlineData(28, 2, 2, 14, 0)]
    [InlineData(3, 5, 2, 2, 2)] // window larger than the image: pad_total = 2 + 5 − 3 = 4
    public void SamePaddingGivesCeilOfInputOverStrideAndPutsTheSmallerHalfBefore(int input, int window, int stride, int output, int padBefore)
    {
        var w = new Window2D(input, input, 1, window, window, stride, stride, PaddingKind.Same);
        var expectedTotal = Math.Max(((output - 1) * stride) + window - input, 0);
        Assert.Equal((input + stride - 1) / stride, w.OutputHeight);
        Assert.Equal(output, w.OutputWidth);
        Assert.Equal(expectedTotal / 2, w.PadTop);
        Assert.Equal(padBefore, w.PadLeft);
    }

    [Theory]
    [InlineData(7, 3, 2, 3)]
    [InlineData(28, 2, 2, 14)]
    [InlineData(5, 5, 1, 1)]
    [InlineData(9, 1, 2, 5)]
    public void ValidPaddingKeepsOnlyWholeWindows(int input, int window, int stride, int output)
    {
        var w = new Window2D(input, input + 1, 2, window, window, stride, stride, PaddingKind.Valid);
        Assert.Equal(output, w.OutputHeight);
        Assert.Equal(0, w.PadTop);
        Assert.Equal(0, w.PadLeft);
        Assert.Equal(output * w.OutputWidth * 2, w.PooledSize);
    }

    [Fact]
    public void AWindowLargerThanTheImageIsRejectedWithValidPadding()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Window2D(3, 8, 1, 4, 2, 1, 1, PaddingKind.Valid));
        Assert.Contains("'valid'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Window2D(3, 3, 1, 2, 2, 0, 1, PaddingKind.Same));
    }
}
