namespace DistTrain.Kernels.Tests.Backends;

/// <summary>Losses (sum of row losses, gradient of that sum) and the accuracy metrics.</summary>
public abstract partial class BackendContractTests
{
    private delegate double LossCall(float[] input, float[] targets, int rows, int cols, out float[] gradient);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 10)]
    [InlineData(5, 17)]
    [InlineData(2, 130)]
    public void SoftmaxCrossEntropyMatchesTheReference(int rows, int cols)
    {
        var random = new Random(20);
        var logits = RandomFloats(random, rows * cols, 5f);

        // Soft targets whose rows do not sum to one exercise the p·Σt − t gradient.
        var targets = RandomFloats(random, rows * cols).Select(Math.Abs).ToArray();
        var loss = SoftmaxCrossEntropy(logits, targets, rows, cols, out var probabilities, out var gradient);
        var expectedLoss = 0.0;
        for (var r = 0; r < rows; r++)
        {
            expectedLoss += NaiveReference.SoftmaxCrossEntropyRow(logits.AsSpan(r * cols, cols), targets.AsSpan(r * cols, cols), out var p, out var g);
            for (var j = 0; j < cols; j++)
            {
                AssertClose(p[j], probabilities[(r * cols) + j], 1e-7, 1e-5, $"probability [{r},{j}]");
                AssertClose(g[j], gradient[(r * cols) + j], 1e-6, 1e-5, $"gradient [{r},{j}]");
            }
        }

        AssertClose(expectedLoss, loss, 1e-6, 1e-5, "loss");
    }

    [Fact]
    public void SoftmaxCrossEntropyIsStableForHugeLogits()
    {
        float[] logits = [1e30f, -1e30f, 0f, 5e4f, 5e4f - 2f, -5e4f];
        float[] targets = [0f, 1f, 0f, 0f, 1f, 0f];
        var loss = SoftmaxCrossEntropy(logits, targets, 2, 3, out var probabilities, out var gradient);
        Assert.All(probabilities.Concat(gradient), v => Assert.True(float.IsFinite(v), $"non-finite value {v}"));

        // Row 0: the target's logit is 2e30 below the max; row 1: 2 below.
        var expected = 2e30 + (2 + Math.Log(1 + Math.Exp(-2)));
        AssertClose(expected, loss, 0, 1e-6, "loss of huge logits");
        AssertClose(-1.0, gradient[1], 1e-7, 0, "gradient of the hopeless target");
    }

    [Fact]
    public void SoftmaxCrossEntropyGradientMatchesFiniteDifferences() =>
        CheckLossGradient((float[] z, float[] t, int rows, int cols, out float[] g) => SoftmaxCrossEntropy(z, t, rows, cols, out _, out g), OneHot(new Random(21), 3, 6));

    [Fact]
    public void MeanSquaredErrorMatchesTheReference()
    {
        var random = new Random(22);
        foreach (var (rows, cols) in new[] { (1, 1), (4, 3), (3, 19), (2, 130) })
        {
            var p = RandomFloats(random, rows * cols, 2f);
            var t = RandomFloats(random, rows * cols, 2f);
            var loss = MeanSquaredError(p, t, rows, cols, out var gradient);
            var expectedLoss = 0.0;
            for (var r = 0; r < rows; r++)
            {
                expectedLoss += NaiveReference.MeanSquaredErrorRow(p.AsSpan(r * cols, cols), t.AsSpan(r * cols, cols), out var g);
                for (var j = 0; j < cols; j++)
                {
                    AssertClose(g[j], gradient[(r * cols) + j], 1e-6, 1e-5, $"MSE gradient ({rows}x{cols}) [{r},{j}]");
                }
            }

            AssertClose(expectedLoss, loss, 1e-6, 1e-5, $"MSE loss ({rows}x{cols})");
        }
    }

    [Fact]
    public void MeanSquaredErrorGradientMatchesFiniteDifferences() =>
        CheckLossGradient(MeanSquaredError, RandomFloats(new Random(23), 12, 2f), rows: 3, cols: 4);

    [Fact]
    public void BinaryCrossEntropyMatchesTheReferenceAndSurvivesLargeLogits()
    {
        var random = new Random(24);
        var z = RandomFloats(random, 4 * 9, 6f);
        z[0] = 200f;
        z[1] = -200f;
        var t = RandomFloats(random, z.Length).Select(v => Math.Abs(v)).ToArray();
        t[0] = 1f;
        t[1] = 1f;
        var loss = BinaryCrossEntropy(z, t, 4, 9, out var gradient);
        var expectedLoss = 0.0;
        for (var r = 0; r < 4; r++)
        {
            expectedLoss += NaiveReference.BinaryCrossEntropyRow(z.AsSpan(r * 9, 9), t.AsSpan(r * 9, 9), out var g);
            for (var j = 0; j < 9; j++)
            {
                AssertClose(g[j], gradient[(r * 9) + j], 1e-7, 1e-5, $"BCE gradient [{r},{j}]");
            }
        }

        Assert.True(double.IsFinite(loss));
        AssertClose(expectedLoss, loss, 1e-6, 1e-5, "BCE loss");
    }

    [Fact]
    public void BinaryCrossEntropyGradientMatchesFiniteDifferences() =>
        CheckLossGradient(BinaryCrossEntropy, RandomFloats(new Random(25), 10).Select(Math.Abs).ToArray(), rows: 2, cols: 5);

    [Fact]
    public void LossesOfNoRowsAreZero()
    {
        Assert.Equal(0.0, SoftmaxCrossEntropy([], [], 0, 10, out _, out _));
        Assert.Equal(0.0, MeanSquaredError([], [], 0, 3, out _));
        Assert.Equal(0.0, BinaryCrossEntropy([], [], 0, 3, out _));
    }

    [Fact]
    public void CountCorrectComparesArgmaxesAndTheFirstIndexWinsTies()
    {
        var random = new Random(26);
        const int Rows = 50, Cols = 7;
        var p = RandomFloats(random, Rows * Cols).Select(v => MathF.Round(v * 2) / 2).ToArray();
        var t = OneHot(random, Rows, Cols);
        var expected = Enumerable.Range(0, Rows).Count(r => NaiveReference.ArgMax(p.AsSpan(r * Cols, Cols)) == NaiveReference.ArgMax(t.AsSpan(r * Cols, Cols)));
        Assert.Equal(expected, Backend.CountCorrect(Upload(p), Upload(t), Rows, Cols));

        // A tie between classes 1 and 2: class 1 is the prediction.
        Assert.Equal(1, Backend.CountCorrect(Upload([0f, 0.5f, 0.5f]), Upload([0f, 1f, 0f]), 1, 3));
        Assert.Equal(0, Backend.CountCorrect(Upload([0f, 0.5f, 0.5f]), Upload([0f, 0f, 1f]), 1, 3));
    }

    [Fact]
    public void CountTopKBreaksTiesByLowerIndex()
    {
        float[] p = [0.5f, 0.5f, 0.5f, 0.1f];
        Assert.Equal(1, Backend.CountTopK(Upload(p), Upload([0f, 1f, 0f, 0f]), 1, 4, 2));
        Assert.Equal(0, Backend.CountTopK(Upload(p), Upload([0f, 0f, 1f, 0f]), 1, 4, 2));
        Assert.Equal(1, Backend.CountTopK(Upload(p), Upload([0f, 0f, 1f, 0f]), 1, 4, 3));
        Assert.Equal(1, Backend.CountTopK(Upload(p), Upload([0f, 0f, 0f, 1f]), 1, 4, 4));

        var random = new Random(27);
        const int Rows = 60, Cols = 10;
        var predictions = RandomFloats(random, Rows * Cols).Select(v => MathF.Round(v * 3) / 3).ToArray();
        var targets = OneHot(random, Rows, Cols);
        foreach (var k in new[] { 1, 2, 3, 5, 10 })
        {
            var expected = Enumerable.Range(0, Rows).Count(r =>
                NaiveReference.InTopK(predictions.AsSpan(r * Cols, Cols), NaiveReference.ArgMax(targets.AsSpan(r * Cols, Cols)), k));
            Assert.Equal(expected, Backend.CountTopK(Upload(predictions), Upload(targets), Rows, Cols, k));
        }

        Assert.Equal(Backend.CountCorrect(Upload(predictions), Upload(targets), Rows, Cols), Backend.CountTopK(Upload(predictions), Upload(targets), Rows, Cols, 1));
    }

    private double SoftmaxCrossEntropy(float[] logits, float[] targets, int rows, int cols, out float[] probabilities, out float[] gradient)
    {
        var (p, g) = (Zeros(logits.Length), Zeros(logits.Length));
        var loss = Backend.SoftmaxCrossEntropy(Upload(logits), Upload(targets), p, g, rows, cols);
        (probabilities, gradient) = (p.ToArray(), g.ToArray());
        return loss;
    }

    private double MeanSquaredError(float[] predictions, float[] targets, int rows, int cols, out float[] gradient)
    {
        var g = Zeros(predictions.Length);
        var loss = Backend.MeanSquaredError(Upload(predictions), Upload(targets), g, rows, cols);
        gradient = g.ToArray();
        return loss;
    }

    private double BinaryCrossEntropy(float[] logits, float[] targets, int rows, int cols, out float[] gradient)
    {
        var g = Zeros(logits.Length);
        var loss = Backend.BinaryCrossEntropyWithLogits(Upload(logits), Upload(targets), g, rows, cols);
        gradient = g.ToArray();
        return loss;
    }

    /// <summary>Central differences of the summed loss against the gradient the loss writes.</summary>
    private void CheckLossGradient(LossCall loss, float[] targets, int rows = 3, int cols = 6)
    {
        const float H = 5e-3f;
        var input = RandomFloats(new Random(28), rows * cols, 2f);
        loss(input, targets, rows, cols, out var analytic);
        for (var i = 0; i < input.Length; i++)
        {
            var plus = (float[])input.Clone();
            var minus = (float[])input.Clone();
            plus[i] += H;
            minus[i] -= H;
            var numeric = (loss(plus, targets, rows, cols, out _) - loss(minus, targets, rows, cols, out _)) / (plus[i] - (double)minus[i]);
            AssertClose(numeric, analytic[i], 2e-3, 2e-2, $"d loss/d input[{i}]");
        }
    }
}
