using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Tests.Models;

namespace DistTrain.Kernels.Tests.Optim;

/// <summary>
/// Adam, AdamW, RMSprop and Adagrad through <see cref="Optimizer"/> for three steps, against
/// the textbook formulas written out in double (Kingma &amp; Ba's bias-corrected m̂ and v̂,
/// with Keras' ε, which is the paper's ε̂ = ε·√(1 − β₂ᵗ)).
/// </summary>
public sealed class AdaptiveOptimizerTests
{
    private const int Batch = 4;
    private const int Length = 11; // a Vector256 body and a tail

    private static readonly float[] InitialWeights = [.. Enumerable.Range(0, Length).Select(i => (float)Math.Sin(i + 1))];

    private static readonly float[][] GradientSums =
    [
        [.. Enumerable.Range(0, Length).Select(i => (float)(4 * Math.Cos(i)))],
        [.. Enumerable.Range(0, Length).Select(i => (float)(40 * Math.Sin(3 * i)))], // clipped at norm 2
        [.. Enumerable.Range(0, Length).Select(i => (float)(i - 5) / 3f)],
    ];

    [Theory]
    [InlineData(0.9f, 0.999f, 1e-7f, false, 0f)]
    [InlineData(0.8f, 0.99f, 0.1f, false, 0.01f)] // a large ε shows where it is added
    [InlineData(0.9f, 0.999f, 1e-7f, true, 0f)]
    public void AdamMatchesTheBiasCorrectedFormulaComputedByHand(float beta1, float beta2, float epsilon, bool amsgrad, float l2)
    {
        var spec = OptimizerSpec.Adam(0.01f, beta1, beta2, epsilon, amsgrad) with { ClipNorm = 2f, WeightDecay = l2 };
        var (w, m, v, vMax) = (Doubles(InitialWeights), new double[Length], new double[Length], new double[Length]);
        var state = Run(spec, (t, g) =>
        {
            double c1 = 1 - Math.Pow(beta1, t), c2 = 1 - Math.Pow(beta2, t);
            for (int i = 0; i < Length; i++)
            {
                double gi = g[i] + (l2 * w[i]);
                m[i] = (beta1 * m[i]) + ((1 - beta1) * gi);
                v[i] = (beta2 * v[i]) + ((1 - beta2) * gi * gi);
                vMax[i] = Math.Max(vMax[i], v[i]);
                double mHat = m[i] / c1, vHat = (amsgrad ? vMax[i] : v[i]) / c2;
                w[i] -= 0.01 * mHat / (Math.Sqrt(vHat) + (epsilon / Math.Sqrt(c2)));
            }

            return w;
        });

        AssertClose(m, state[1], "m");
        AssertClose(v, state[2], "v");
        if (amsgrad)
        {
            AssertClose(vMax, state[3], "v_hat");
        }
    }

    [Fact]
    public void AdamsFirstUpdateMovesEveryWeightByTheLearningRate()
    {
        // Bias correction: m̂ = g and v̂ = g² after one update, so Δw = −lr·sign(g) (ε tiny).
        var spec = OptimizerSpec.Adam(0.01f);
        using var backend = new CpuBackend(1);
        using DeviceBuffer weights = Upload(backend, InitialWeights);
        using DeviceBuffer gradient = Upload(backend, GradientSums[0]);
        using DeviceBuffer m = backend.Allocate(Length), v = backend.Allocate(Length);

        Optimizer.Apply(backend, weights, gradient, [m.All, v.All], spec, Optimizer.Decide(spec, 0, backend.SumOfSquares(gradient), Batch), 1);

        float[] after = weights.ToArray();
        for (int i = 0; i < Length; i++)
        {
            Assert.Equal(-0.01 * Math.Sign(GradientSums[0][i]), after[i] - InitialWeights[i], 6);
        }
    }

    [Fact]
    public void AdamWDecaysTheWeightsApartFromTheGradient()
    {
        const float lambda = 0.05f;
        var spec = OptimizerSpec.AdamW(0.01f, lambda) with { ClipNorm = 2f };
        var (w, m, v) = (Doubles(InitialWeights), new double[Length], new double[Length]);
        var state = Run(spec, (t, g) =>
        {
            double c1 = 1 - Math.Pow(0.9, t), c2 = 1 - Math.Pow(0.999, t);
            for (int i = 0; i < Length; i++)
            {
                w[i] -= 0.01 * lambda * w[i];
                m[i] = (0.9 * m[i]) + (0.1 * g[i]);
                v[i] = (0.999 * v[i]) + (0.001 * g[i] * g[i]);
                w[i] -= 0.01 * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + (1e-7 / Math.Sqrt(c2)));
            }

            return w;
        });

        AssertClose(m, state[1], "m");
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.9f, false)]
    [InlineData(0f, true)]
    [InlineData(0.5f, true)]
    public void RmsPropMatchesTheFormulaComputedByHand(float momentum, bool centered)
    {
        const float rho = 0.8f;
        var spec = OptimizerSpec.RmsProp(0.01f, rho, momentum, 1e-3f, centered) with { ClipNorm = 2f };
        var (w, s, p, mg) = (Doubles(InitialWeights), new double[Length], new double[Length], new double[Length]);
        var state = Run(spec, (_, g) =>
        {
            for (int i = 0; i < Length; i++)
            {
                s[i] = (rho * s[i]) + ((1 - rho) * g[i] * g[i]);
                mg[i] = (rho * mg[i]) + ((1 - rho) * g[i]);
                double increment = 0.01 * g[i] / Math.Sqrt((centered ? s[i] - (mg[i] * mg[i]) : s[i]) + 1e-3);
                p[i] = (momentum * p[i]) + increment;
                w[i] -= momentum > 0 ? p[i] : increment;
            }

            return w;
        });

        Assert.Equal(spec.StateNames.Count + 1, state.Length);
        AssertClose(s, state[1], "velocity");
        int next = 2;
        if (momentum > 0)
        {
            AssertClose(p, state[next++], "momentum");
        }

        if (centered)
        {
            AssertClose(mg, state[next], "average_gradient");
        }
    }

    [Fact]
    public void AdagradMatchesTheFormulaComputedByHandFromItsInitialAccumulator()
    {
        var spec = OptimizerSpec.Adagrad(0.1f, initialAccumulatorValue: 0.1f) with { ClipNorm = 2f };
        var (w, a) = (Doubles(InitialWeights), Enumerable.Repeat(0.1, Length).ToArray());
        var state = Run(spec, (_, g) =>
        {
            for (int i = 0; i < Length; i++)
            {
                a[i] += g[i] * g[i];
                w[i] -= 0.1 * g[i] / Math.Sqrt(a[i] + 1e-7);
            }

            return w;
        });

        AssertClose(a, state[1], "accumulator");
    }

    [Fact]
    public void TheStateNamesAreKerasAndTheSettingsAreChecked()
    {
        Assert.Equal(["velocity"], new OptimizerSpec(0.1f).StateNames);
        Assert.Equal(["momentum", "velocity"], OptimizerSpec.Adam().StateNames);
        Assert.Equal(["momentum", "velocity", "velocity_hat"], OptimizerSpec.AdamW(amsgrad: true).StateNames);
        Assert.Equal(["velocity", "momentum", "average_gradient"], OptimizerSpec.RmsProp(momentum: 0.9f, centered: true).StateNames);
        Assert.Equal(["accumulator"], OptimizerSpec.Adagrad().StateNames);
        Assert.Equal(0.004f, OptimizerSpec.AdamW().WeightDecay);
        Assert.Equal(1e-7f, OptimizerSpec.Adam().Epsilon);

        Assert.Contains("Beta2", Assert.Throws<ArgumentException>(() => OptimizerSpec.Adam(beta2: 1f).Validate()).Message);
        Assert.Contains("Epsilon", Assert.Throws<ArgumentException>(() => OptimizerSpec.RmsProp(epsilon: 0f).Validate()).Message);
        Assert.Contains("Amsgrad", Assert.Throws<ArgumentException>(() => (OptimizerSpec.Adagrad() with { Amsgrad = true }).Validate()).Message);
        Assert.Contains("Momentum", Assert.Throws<ArgumentException>(() => (OptimizerSpec.Adam() with { Momentum = 0.9f }).Validate()).Message);
        Assert.Contains("keeps 2 state vectors", Assert.Throws<ArgumentException>(() => ApplyWithOneState(OptimizerSpec.Adam())).Message);
    }

    [Fact]
    public void ASkippedAdamStepLeavesWeightsAndStateBitIdentical()
    {
        var spec = OptimizerSpec.Adam(amsgrad: true);
        using var backend = new CpuBackend(1);
        using DeviceBuffer weights = Upload(backend, [1f, 2f]);
        using DeviceBuffer gradient = Upload(backend, [float.PositiveInfinity, 1f]);
        using DeviceBuffer m = Upload(backend, [0.25f, -0.5f]), v = Upload(backend, [0.5f, 1f]), h = Upload(backend, [1f, 1f]);

        StepDecision d = Optimizer.Decide(spec, 0, backend.SumOfSquares(gradient), 2);
        Optimizer.Apply(backend, weights, gradient, [m.All, v.All, h.All], spec, d, 1);

        Assert.True(d.Skip);
        SyntheticData.AssertBitIdentical([1f, 2f], weights.ToArray(), "weights");
        SyntheticData.AssertBitIdentical([0.25f, -0.5f], m.ToArray(), "m");
        SyntheticData.AssertBitIdentical([0.5f, 1f], v.ToArray(), "v");
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.RmsProp)]
    [InlineData(OptimizerKind.Adagrad)]
    public void TheFusedUpdateGivesTheSameBitsForAnyThreadCount(OptimizerKind kind)
    {
        // 3 blocks of 64K floats and a ragged end.
        const int length = (3 << 16) + 13;
        var spec = kind switch
        {
            OptimizerKind.Adam => OptimizerSpec.Adam(amsgrad: true),
            OptimizerKind.RmsProp => OptimizerSpec.RmsProp(momentum: 0.9f, centered: true),
            _ => OptimizerSpec.Adagrad(),
        };
        var random = new Random(3);
        float[] w0 = [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f)];
        float[] g = [.. Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f)];
        var results = new List<float[][]>();
        foreach (int threads in new[] { 1, 2, 4 })
        {
            using var backend = new CpuBackend(threads);
            using DeviceBuffer weights = Upload(backend, w0), gradient = Upload(backend, g);
            DeviceBuffer[] state = [.. spec.StateNames.Select((_, i) => Upload(backend, [.. Enumerable.Repeat(spec.InitialStateValue(i), length)]))];
            for (int t = 1; t <= 2; t++)
            {
                Optimizer.Apply(backend, weights, gradient, [.. state.Select(s => s.All)], spec, Optimizer.Decide(spec, t - 1, backend.SumOfSquares(gradient), 8), t);
            }

            results.Add([weights.ToArray(), .. state.Select(s => s.ToArray())]);
            foreach (DeviceBuffer s in state)
            {
                s.Dispose();
            }
        }

        for (int r = 1; r < results.Count; r++)
        {
            for (int k = 0; k < results[0].Length; k++)
            {
                SyntheticData.AssertBitIdentical(results[0][k], results[r][k], $"{kind} vector {k}, run {r}");
            }
        }
    }

    /// <summary>
    /// Three steps of <paramref name="spec"/> on <see cref="GradientSums"/>; <paramref name="byHand"/>
    /// gets (t, the clipped mean gradient) and returns the expected weights, checked after each
    /// step. Returns the final weights and state vectors.
    /// </summary>
    private static float[][] Run(OptimizerSpec spec, Func<int, double[], double[]> byHand)
    {
        spec.Validate();
        using var backend = new CpuBackend(1);
        using DeviceBuffer weights = Upload(backend, InitialWeights);
        using DeviceBuffer gradient = backend.Allocate(Length);
        DeviceBuffer[] state = [.. spec.StateNames.Select((_, i) => Upload(backend, [.. Enumerable.Repeat(spec.InitialStateValue(i), Length)]))];
        try
        {
            for (int step = 0; step < GradientSums.Length; step++)
            {
                float[] g = GradientSums[step];
                gradient.Upload(g);
                StepDecision d = Optimizer.Decide(spec, step, backend.SumOfSquares(gradient), Batch);
                Optimizer.Apply(backend, weights, gradient, [.. state.Select(s => s.All)], spec, d, step + 1);

                double norm = Math.Sqrt(g.Sum(x => (double)x * x)) / Batch;
                double factor = spec.ClipNorm is { } clip ? clip / Math.Max(norm, clip) : 1;
                Assert.Equal(factor < 1, d.Clipped);
                double[] expected = byHand(step + 1, [.. g.Select(x => x / (double)Batch * factor)]);
                AssertClose(expected, weights.ToArray(), $"weights after step {step}");
            }

            return [weights.ToArray(), .. state.Select(s => s.ToArray())];
        }
        finally
        {
            foreach (DeviceBuffer s in state)
            {
                s.Dispose();
            }
        }
    }

    private static void ApplyWithOneState(OptimizerSpec spec)
    {
        using var backend = new CpuBackend(1);
        using DeviceBuffer w = backend.Allocate(2), g = backend.Allocate(2), s = backend.Allocate(2);
        Optimizer.Apply(backend, w, g, [s.All], spec, new StepDecision(false, 1f, 0.1f, 1, false), 1);
    }

    private static DeviceBuffer Upload(CpuBackend backend, float[] values)
    {
        DeviceBuffer buffer = backend.Allocate(values.Length);
        buffer.Upload(values);
        return buffer;
    }

    private static double[] Doubles(float[] values) => [.. values.Select(v => (double)v)];

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-6 + (2e-5 * Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}.");
        }
    }
}
