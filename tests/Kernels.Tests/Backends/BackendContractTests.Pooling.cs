using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tests.Backends;

/// <summary>Pooling, up-sampling and the dropout product against naive references.</summary>
public abstract partial class BackendContractTests
{
    /// <summary>(batch, h, w, c, pool h, pool w, stride h, stride w, padding): non-overlapping, overlapping, partial edge windows.</summary>
    public static TheoryData<int, int, int, int, int, int, int, int, PaddingKind> PoolGeometries => new()
    {
        { 2, 7, 5, 3, 2, 2, 2, 2, PaddingKind.Same },
        { 2, 7, 5, 3, 2, 2, 2, 2, PaddingKind.Valid },
        { 2, 8, 6, 3, 3, 3, 2, 2, PaddingKind.Same },
        { 1, 5, 7, 2, 3, 2, 1, 1, PaddingKind.Same },
        { 3, 9, 9, 4, 3, 3, 3, 3, PaddingKind.Valid },
        { 1, 4, 3, 2, 5, 4, 2, 2, PaddingKind.Same },
    };

    [Theory]
    [MemberData(nameof(PoolGeometries))]
    public void MaxPoolForwardTakesTheLargestInImageCellOfEachWindow(int batch, int h, int w, int c, int ph, int pw, int sh, int sw, PaddingKind padding)
    {
        var window = new Window2D(h, w, c, ph, pw, sh, sw, padding);
        var input = RandomFloats(new Random(70), batch * window.InputSize);
        var output = Upload(Enumerable.Repeat(float.NaN, batch * window.PooledSize).ToArray());
        Backend.MaxPoolForward(Upload(input), output, batch, window);
        var (expected, _) = NaiveImageReference.Pool(input, batch, window, max: true);
        AssertBitIdentical([.. expected.Select(v => (float)v)], output.ToArray(), $"max pool {window}");
    }

    [Theory]
    [MemberData(nameof(PoolGeometries))]
    public void MaxPoolBackwardRoutesEachGradientToTheFirstMaximumOfItsWindow(int batch, int h, int w, int c, int ph, int pw, int sh, int sw, PaddingKind padding)
    {
        var window = new Window2D(h, w, c, ph, pw, sh, sw, padding);
        var random = new Random(71);

        // Few distinct values, so that windows have tied maxima.
        var input = Enumerable.Range(0, batch * window.InputSize).Select(_ => (float)random.Next(3)).ToArray();
        var gradOutput = RandomFloats(random, batch * window.PooledSize);
        var gradInput = Upload(Enumerable.Repeat(float.NaN, batch * window.InputSize).ToArray());
        Backend.MaxPoolBackward(Upload(input), Upload(gradOutput), gradInput, batch, window);

        var (_, argMax) = NaiveImageReference.Pool(input, batch, window, max: true);
        var expected = new double[input.Length];
        var magnitude = new double[input.Length];
        for (var o = 0; o < argMax.Length; o++)
        {
            expected[argMax[o]] += gradOutput[o];
            magnitude[argMax[o]] += Math.Abs(gradOutput[o]);
        }

        AssertAllClose(expected, magnitude, gradInput.ToArray(), ph * pw, $"max pool backward {window}");
    }

    [Theory]
    [MemberData(nameof(PoolGeometries))]
    public void AvgPoolDividesByTheNumberOfInImageCellsForwardAndBackward(int batch, int h, int w, int c, int ph, int pw, int sh, int sw, PaddingKind padding)
    {
        var window = new Window2D(h, w, c, ph, pw, sh, sw, padding);
        var random = new Random(72);
        var input = RandomFloats(random, batch * window.InputSize);
        var output = Zeros(batch * window.PooledSize);
        Backend.AvgPoolForward(Upload(input), output, batch, window);
        var (expected, _) = NaiveImageReference.Pool(input, batch, window, max: false);
        var (magnitude, _) = NaiveImageReference.Pool([.. input.Select(Math.Abs)], batch, window, max: false);
        AssertAllClose(expected, magnitude, output.ToArray(), ph * pw, $"avg pool {window}");

        var gradOutput = RandomFloats(random, batch * window.PooledSize);
        var gradInput = Upload(Enumerable.Repeat(float.NaN, input.Length).ToArray());
        Backend.AvgPoolBackward(Upload(gradOutput), gradInput, batch, window);
        var expectedGrad = new double[input.Length];
        var gradMagnitude = new double[input.Length];
        for (var b = 0; b < batch; b++)
        {
            for (var oy = 0; oy < window.OutputHeight; oy++)
            {
                for (var ox = 0; ox < window.OutputWidth; ox++)
                {
                    var count = NaiveImageReference.ValidCount(window, oy, ox);
                    for (var ky = 0; ky < ph; ky++)
                    {
                        for (var kx = 0; kx < pw; kx++)
                        {
                            for (var ch = 0; ch < c; ch++)
                            {
                                var at = NaiveImageReference.Under(window, b, oy, ox, ky, kx, ch);
                                if (at >= 0)
                                {
                                    var g = (double)gradOutput[NaiveImageReference.Out(window, b, oy, ox, ch, c)] / count;
                                    expectedGrad[at] += g;
                                    gradMagnitude[at] += Math.Abs(g);
                                }
                            }
                        }
                    }
                }
            }
        }

        AssertAllClose(expectedGrad, gradMagnitude, gradInput.ToArray(), ph * pw, $"avg pool backward {window}");
    }

    [Theory]
    [InlineData(2, 3, 5, 2, 2, 2)]
    [InlineData(1, 4, 3, 3, 3, 1)]
    [InlineData(3, 1, 1, 1, 1, 4)]
    public void UpSamplingRepeatsEachCellAndItsGradientSumsTheBlock(int batch, int height, int width, int channels, int scaleHeight, int scaleWidth)
    {
        var random = new Random(73);
        int outHeight = height * scaleHeight, outWidth = width * scaleWidth;
        var input = RandomFloats(random, batch * height * width * channels);
        var output = Zeros(batch * outHeight * outWidth * channels);
        Backend.UpSampleForward(Upload(input), output, batch, height, width, channels, scaleHeight, scaleWidth);
        var gradOutput = RandomFloats(random, output.Length);
        var gradInput = Upload(Enumerable.Repeat(float.NaN, input.Length).ToArray());
        Backend.UpSampleBackward(Upload(gradOutput), gradInput, batch, height, width, channels, scaleHeight, scaleWidth);

        var expected = new float[output.Length];
        var expectedGrad = new double[input.Length];
        var magnitude = new double[input.Length];
        for (var b = 0; b < batch; b++)
        {
            for (var y = 0; y < outHeight; y++)
            {
                for (var x = 0; x < outWidth; x++)
                {
                    for (var ch = 0; ch < channels; ch++)
                    {
                        var o = (((((b * outHeight) + y) * outWidth) + x) * channels) + ch;
                        var i = (((((b * height) + (y / scaleHeight)) * width) + (x / scaleWidth)) * channels) + ch;
                        expected[o] = input[i];
                        expectedGrad[i] += gradOutput[o];
                        magnitude[i] += Math.Abs(gradOutput[o]);
                    }
                }
            }
        }

        AssertBitIdentical(expected, output.ToArray(), "up-sampled");
        AssertAllClose(expectedGrad, magnitude, gradInput.ToArray(), scaleHeight * scaleWidth, "up-sampling gradient");
    }

    [Fact]
    public void MultiplyIsTheElementwiseProductForEveryLength()
    {
        var random = new Random(74);
        foreach (var length in SweepLengths())
        {
            var a = RandomFloats(random, length);
            var b = RandomFloats(random, length, 3f);
            var result = Zeros(length);
            Backend.Multiply(Upload(a), Upload(b), result);
            AssertBitIdentical([.. a.Zip(b, (x, y) => x * y)], result.ToArray(), $"length {length}");
        }

        var aliased = Upload([1f, -2f, 3f]);
        Backend.Multiply(aliased, Upload([2f, 0f, -1f]), aliased);
        Assert.Equal([2f, -0f, -3f], aliased.ToArray());
    }
}
