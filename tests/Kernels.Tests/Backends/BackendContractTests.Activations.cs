using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tests.Backends;

/// <summary>Activation forward and backward against the reference and against finite differences.</summary>
public abstract partial class BackendContractTests
{
    public static TheoryData<ActivationKind> ElementWiseKinds => [ActivationKind.Linear, ActivationKind.Relu, ActivationKind.Sigmoid, ActivationKind.Tanh];

    public static TheoryData<ActivationKind> AllKinds => [ActivationKind.Linear, ActivationKind.Relu, ActivationKind.Sigmoid, ActivationKind.Tanh, ActivationKind.Softmax];

    [Theory]
    [MemberData(nameof(ElementWiseKinds))]
    public void ElementWiseActivationsMatchTheReferenceForEveryLength(ActivationKind kind)
    {
        var random = new Random(10);
        foreach (var length in SweepLengths())
        {
            var x = RandomFloats(random, length, 6f);
            var output = Zeros(length);
            Backend.ActivationForward(kind, Upload(x), output, 1, length);
            var y = output.ToArray();

            var gradOutput = RandomFloats(random, length);
            var gradInput = Zeros(length);
            Backend.ActivationBackward(kind, output, Upload(gradOutput), gradInput, length, 1);
            var dx = gradInput.ToArray();
            for (var i = 0; i < length; i++)
            {
                AssertClose(NaiveReference.Activation(kind, x[i]), y[i], 1e-6, 1e-5, $"{kind} forward length {length} [{i}]");
                var expected = NaiveReference.ActivationDerivativeFromOutput(kind, y[i]) * gradOutput[i];
                AssertClose(expected, dx[i], 1e-6, 1e-5, $"{kind} backward length {length} [{i}]");
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(4, 10)]
    [InlineData(7, 33)]
    [InlineData(2, 257)]
    public void SoftmaxMatchesTheReferenceRowByRow(int rows, int cols)
    {
        var random = new Random(11);
        var x = RandomFloats(random, rows * cols, 8f);
        var output = Zeros(rows * cols);
        Backend.ActivationForward(ActivationKind.Softmax, Upload(x), output, rows, cols);
        var y = output.ToArray();

        var gradOutput = RandomFloats(random, rows * cols);
        var gradInput = Zeros(rows * cols);
        Backend.ActivationBackward(ActivationKind.Softmax, output, Upload(gradOutput), gradInput, rows, cols);
        var dx = gradInput.ToArray();
        for (var r = 0; r < rows; r++)
        {
            var expected = NaiveReference.Softmax(x.AsSpan(r * cols, cols));
            var dot = 0.0;
            for (var j = 0; j < cols; j++)
            {
                dot += y[(r * cols) + j] * (double)gradOutput[(r * cols) + j];
            }

            for (var j = 0; j < cols; j++)
            {
                var i = (r * cols) + j;
                AssertClose(expected[j], y[i], 1e-7, 1e-5, $"softmax forward [{r},{j}]");
                AssertClose(y[i] * (gradOutput[i] - dot), dx[i], 1e-7, 1e-4, $"softmax backward [{r},{j}]");
            }
        }
    }

    [Fact]
    public void SoftmaxSurvivesHugeLogits()
    {
        float[] x = [1e30f, -1e30f, 1e30f, 0f, 3e4f, 3e4f - 1f, -3e4f, 88f, 89f, 90f];
        var output = Zeros(x.Length);
        Backend.ActivationForward(ActivationKind.Softmax, Upload(x), output, 1, 10);
        var y = output.ToArray();
        Assert.All(y, v => Assert.True(float.IsFinite(v), $"softmax gave {v}"));
        AssertClose(0.5, y[0], 1e-7, 1e-6, "softmax of a tied huge logit");
        AssertClose(0.5, y[2], 1e-7, 1e-6, "softmax of a tied huge logit");
        AssertClose(1.0, y.Sum(v => (double)v), 1e-6, 0, "softmax row sum");
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void ActivationsWorkInPlace(ActivationKind kind)
    {
        var random = new Random(12);
        const int Rows = 3, Cols = 11;
        var x = RandomFloats(random, Rows * Cols, 3f);
        var g = RandomFloats(random, Rows * Cols);
        var separate = Zeros(x.Length);
        Backend.ActivationForward(kind, Upload(x), separate, Rows, Cols);
        var inPlace = Upload(x);
        Backend.ActivationForward(kind, inPlace, inPlace, Rows, Cols);
        Assert.Equal(separate.ToArray(), inPlace.ToArray());

        var gradSeparate = Zeros(x.Length);
        Backend.ActivationBackward(kind, separate, Upload(g), gradSeparate, Rows, Cols);
        var gradInPlace = Upload(g);
        Backend.ActivationBackward(kind, separate, gradInPlace, gradInPlace, Rows, Cols);
        Assert.Equal(gradSeparate.ToArray(), gradInPlace.ToArray());
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void ActivationBackwardMatchesFiniteDifferences(ActivationKind kind)
    {
        // L(x) = Σ w·f(x); dL/dx from ActivationBackward with gradOutput = w.
        var random = new Random(13);
        const int Rows = 3, Cols = 7;
        const float H = 1e-3f;
        var x = RandomFloats(random, Rows * Cols, 2f);
        for (var i = 0; i < x.Length; i++)
        {
            // Keep ReLU's kink out of reach of the finite difference.
            x[i] = MathF.CopySign(Math.Max(Math.Abs(x[i]), 0.1f), x[i]);
        }

        var w = RandomFloats(random, x.Length);
        var output = Zeros(x.Length);
        Backend.ActivationForward(kind, Upload(x), output, Rows, Cols);
        var gradInput = Zeros(x.Length);
        Backend.ActivationBackward(kind, output, Upload(w), gradInput, Rows, Cols);
        var analytic = gradInput.ToArray();
        for (var i = 0; i < x.Length; i++)
        {
            var plus = (float[])x.Clone();
            var minus = (float[])x.Clone();
            plus[i] += H;
            minus[i] -= H;
            var numeric = (WeightedActivation(kind, plus, w, Rows, Cols) - WeightedActivation(kind, minus, w, Rows, Cols)) / (plus[i] - (double)minus[i]);
            AssertClose(numeric, analytic[i], 1e-3, 1e-2, $"{kind} d/dx[{i}]");
        }
    }

    private double WeightedActivation(ActivationKind kind, float[] x, float[] w, int rows, int cols)
    {
        var output = Zeros(x.Length);
        Backend.ActivationForward(kind, Upload(x), output, rows, cols);
        var y = output.ToArray();
        var sum = 0.0;
        for (var i = 0; i < y.Length; i++)
        {
            sum += (double)w[i] * y[i];
        }

        return sum;
    }
}
