using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tests.Backends;

/// <summary>Fill, copy, scale, axpy, add, sum of squares, momentum SGD, bias add and bias gradient.</summary>
public abstract partial class BackendContractTests
{
    [Fact]
    public void FillSetsEveryElementOfTheSpanAndNothingElse()
    {
        foreach (var length in SweepLengths())
        {
            var buffer = Upload(Enumerable.Repeat(7f, length + 2).ToArray());
            Backend.Fill(buffer.Slice(1, length), -1.5f);
            var result = buffer.ToArray();
            Assert.Equal(7f, result[0]);
            Assert.Equal(7f, result[^1]);
            Assert.All(result[1..^1], v => Assert.Equal(-1.5f, v));
        }
    }

    [Fact]
    public void CopyCopiesTheRangeBetweenOffsets()
    {
        var random = new Random(1);
        foreach (var length in SweepLengths())
        {
            var source = RandomFloats(random, length + 3);
            var destination = Upload(new float[length + 1]);
            Backend.Copy(Upload(source).Slice(3, length), destination.Slice(1, length));
            var result = destination.ToArray();
            Assert.Equal(0f, result[0]);
            Assert.Equal(source[3..], result[1..]);
        }
    }

    [Fact]
    public void CopyRejectsSpansOfDifferentLengths()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => Backend.Copy(Zeros(4), Zeros(5)));
        Assert.Contains("length", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ScaleAxpyAndAddMatchTheNaiveReferenceForEveryLength()
    {
        var random = new Random(2);
        foreach (var length in SweepLengths())
        {
            var x = RandomFloats(random, length, 3f);
            var y = RandomFloats(random, length, 3f);

            var scaled = Upload(x);
            Backend.Scale(scaled, -0.75f);
            var axpy = Upload(y);
            Backend.Axpy(1.25f, Upload(x), axpy);
            var sum = Zeros(length);
            Backend.Add(Upload(x), Upload(y), sum);

            var (s, a, add) = (scaled.ToArray(), axpy.ToArray(), sum.ToArray());
            for (var i = 0; i < length; i++)
            {
                AssertClose(-0.75 * x[i], s[i], 1e-6, 1e-6, $"Scale length {length} [{i}]");
                AssertClose((1.25 * x[i]) + y[i], a[i], 1e-6, 1e-6, $"Axpy length {length} [{i}]");
                AssertClose((double)x[i] + y[i], add[i], 1e-6, 1e-6, $"Add length {length} [{i}]");
            }
        }
    }

    [Fact]
    public void AddMayWriteIntoEitherInput()
    {
        var random = new Random(3);
        var x = RandomFloats(random, 37);
        var y = RandomFloats(random, 37);
        var first = Upload(x);
        Backend.Add(first, Upload(y), first);
        var second = Upload(y);
        Backend.Add(Upload(x), second, second);
        var expected = x.Zip(y, (p, q) => p + q).ToArray();
        Assert.Equal(expected, first.ToArray());
        Assert.Equal(expected, second.ToArray());
    }

    [Fact]
    public void SumOfSquaresMatchesTheDoubleReferenceForEveryLength()
    {
        var random = new Random(4);
        foreach (var length in SweepLengths())
        {
            var x = RandomFloats(random, length, 10f);
            var expected = x.Sum(v => (double)v * v);
            AssertClose(expected, Backend.SumOfSquares(Upload(x)), 1e-9, 1e-12, $"SumOfSquares length {length}");
        }
    }

    [Fact]
    public void SumOfSquaresAccumulatesInDoubleSoSmallTermsAreNotLost()
    {
        // 4096² = 2^24: a float accumulator would drop each following +1.
        var x = Enumerable.Repeat(1f, Scaled(256, 17)).ToArray();
        x[0] = 4096f;
        var expected = (4096.0 * 4096.0) + (x.Length - 1);
        Assert.Equal(expected, Backend.SumOfSquares(Upload(x)));
    }

    [Theory]
    [InlineData(0.1f, 0f, false, 0f, 1f)]
    [InlineData(0.05f, 0.9f, false, 0f, 0.5f)]
    [InlineData(0.05f, 0.9f, true, 1e-3f, 0.25f)]
    [InlineData(0.2f, 0.5f, true, 0.01f, 2f)]
    public void MomentumSgdFollowsThePyTorchFormula(float learningRate, float momentum, bool nesterov, float weightDecay, float gradientScale)
    {
        var random = new Random(5);
        var step = new SgdStep(learningRate, momentum, nesterov, weightDecay, gradientScale);
        foreach (var length in SweepLengths())
        {
            var w = RandomFloats(random, length);
            var g = RandomFloats(random, length);
            var v = RandomFloats(random, length, 0.1f);
            var (weights, velocity) = (Upload(w), Upload(v));
            Backend.MomentumSgd(weights, Upload(g), velocity, step);
            var (wr, vr) = (weights.ToArray(), velocity.ToArray());
            for (var i = 0; i < length; i++)
            {
                var (we, ve) = NaiveReference.MomentumSgd(w[i], g[i], v[i], step);
                AssertClose(we, wr[i], 1e-6, 1e-5, $"weight length {length} [{i}]");
                AssertClose(ve, vr[i], 1e-6, 1e-5, $"velocity length {length} [{i}]");
            }
        }
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(17, 33)]
    [InlineData(5, 130)]
    public void AddBiasAddsTheBiasToEveryRow(int rows, int cols)
    {
        var random = new Random(6);
        var x = RandomFloats(random, rows * cols);
        var bias = RandomFloats(random, cols);
        var buffer = Upload(x);
        Backend.AddBias(buffer, Upload(bias), rows, cols);
        var result = buffer.ToArray();
        for (var i = 0; i < x.Length; i++)
        {
            AssertClose((double)x[i] + bias[i % cols], result[i], 1e-6, 1e-6, $"AddBias [{i}]");
        }
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(1, 1)]
    [InlineData(9, 7)]
    [InlineData(33, 17)]
    [InlineData(200, 10)]
    public void BiasGradientSumsTheRowsAndAccumulatesWhenAsked(int rows, int cols)
    {
        var random = new Random(7);
        var g = RandomFloats(random, rows * cols);
        var initial = RandomFloats(random, cols);
        var overwritten = Upload(initial);
        var accumulated = Upload(initial);
        Backend.BiasGradient(Upload(g), overwritten, rows, cols, accumulate: false);
        Backend.BiasGradient(Upload(g), accumulated, rows, cols, accumulate: true);
        var (o, a) = (overwritten.ToArray(), accumulated.ToArray());
        for (var c = 0; c < cols; c++)
        {
            var sum = 0.0;
            for (var r = 0; r < rows; r++)
            {
                sum += g[(r * cols) + c];
            }

            AssertClose(sum, o[c], 1e-5, 1e-5, $"BiasGradient [{c}]");
            AssertClose(sum + initial[c], a[c], 1e-5, 1e-5, $"BiasGradient accumulate [{c}]");
        }
    }
}
