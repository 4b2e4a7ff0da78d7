using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tests.Backends;

/// <summary>The fused Adam, RMSprop and Adagrad updates against a per-element reference in double.</summary>
public abstract partial class BackendContractTests
{
    [Theory]
    [InlineData(0.01f, 0.1f, 0.001f, 1e-7f, 1f, 0f, 0f, false)]
    [InlineData(0.003f, 0.1f, 0.001f, 1e-3f, 0.25f, 0.01f, 0f, false)]
    [InlineData(0.003f, 0.2f, 0.01f, 1e-7f, 0.5f, 0f, 1e-4f, true)]
    public void AdamFollowsTheKerasFormula(float alpha, float oneMinusBeta1, float oneMinusBeta2, float epsilon, float scale, float decay, float decoupled, bool amsgrad)
    {
        var random = new Random(11);
        var step = new AdamStep(alpha, oneMinusBeta1, oneMinusBeta2, epsilon, scale, decay, decoupled, amsgrad);
        foreach (var length in SweepLengths())
        {
            var w = RandomFloats(random, length);
            var g = RandomFloats(random, length);
            var m = RandomFloats(random, length, 0.1f);
            var v = RandomFloats(random, length, 0.01f).Select(Math.Abs).ToArray();
            var h = v.Select(x => x * (random.Next(2) == 0 ? 0.5f : 2f)).ToArray();
            var (weights, mb, vb, hb) = (Upload(w), Upload(m), Upload(v), Upload(h));
            Backend.Adam(weights, Upload(g), mb, vb, amsgrad ? hb.All : default, step);
            var (wr, mr, vr, hr) = (weights.ToArray(), mb.ToArray(), vb.ToArray(), hb.ToArray());
            for (var i = 0; i < length; i++)
            {
                var e = NaiveReference.Adam(w[i], g[i], m[i], v[i], h[i], step);
                AssertClose(e.Weight, wr[i], 1e-6, 1e-5, $"weight length {length} [{i}]");
                AssertClose(e.M, mr[i], 1e-7, 1e-5, $"m length {length} [{i}]");
                AssertClose(e.V, vr[i], 1e-9, 1e-5, $"v length {length} [{i}]");
                AssertClose(amsgrad ? e.VMax : h[i], hr[i], 1e-9, 1e-5, $"v_hat length {length} [{i}]");
            }
        }
    }

    [Theory]
    [InlineData(0.001f, 0.9f, 0f, 1e-7f, 1f, 0f, false)]
    [InlineData(0.01f, 0.9f, 0.5f, 1e-3f, 0.5f, 0.01f, false)]
    [InlineData(0.01f, 0.8f, 0.9f, 1e-7f, 0.25f, 0f, true)]
    [InlineData(0.005f, 0.95f, 0f, 1e-4f, 2f, 0f, true)]
    public void RmsPropFollowsTheKerasFormula(float lr, float rho, float momentum, float epsilon, float scale, float decay, bool centered)
    {
        var random = new Random(12);
        var step = new RmsPropStep(lr, rho, (float)(1.0 - rho), momentum, epsilon, scale, decay, centered);
        foreach (var length in SweepLengths())
        {
            var w = RandomFloats(random, length);
            var g = RandomFloats(random, length);
            var s = RandomFloats(random, length).Select(x => 0.05f + (x * x)).ToArray(); // ≥ ḡ² + margin: no cancellation when centred
            var p = RandomFloats(random, length, 0.01f);
            var mg = RandomFloats(random, length, 0.1f);
            var (weights, sb, pb, mgb) = (Upload(w), Upload(s), Upload(p), Upload(mg));
            Backend.RmsProp(weights, Upload(g), sb, momentum > 0 ? pb.All : default, centered ? mgb.All : default, step);
            var (wr, sr, pr, mgr) = (weights.ToArray(), sb.ToArray(), pb.ToArray(), mgb.ToArray());
            for (var i = 0; i < length; i++)
            {
                var e = NaiveReference.RmsProp(w[i], g[i], s[i], p[i], mg[i], step);
                AssertClose(e.Weight, wr[i], 1e-6, 1e-5, $"weight length {length} [{i}]");
                AssertClose(e.MeanSquare, sr[i], 1e-9, 1e-5, $"mean square length {length} [{i}]");
                AssertClose(momentum > 0 ? e.Momentum : p[i], pr[i], 1e-7, 1e-5, $"momentum length {length} [{i}]");
                AssertClose(centered ? e.MeanGradient : mg[i], mgr[i], 1e-7, 1e-5, $"mean gradient length {length} [{i}]");
            }
        }
    }

    [Theory]
    [InlineData(0.01f, 1e-7f, 1f, 0f)]
    [InlineData(0.1f, 1e-3f, 0.5f, 0.01f)]
    public void AdagradFollowsTheKerasFormula(float lr, float epsilon, float scale, float decay)
    {
        var random = new Random(13);
        var step = new AdagradStep(lr, epsilon, scale, decay);
        foreach (var length in SweepLengths())
        {
            var w = RandomFloats(random, length);
            var g = RandomFloats(random, length);
            var a = RandomFloats(random, length).Select(x => 0.1f + (x * x)).ToArray();
            var (weights, ab) = (Upload(w), Upload(a));
            Backend.Adagrad(weights, Upload(g), ab, step);
            var (wr, ar) = (weights.ToArray(), ab.ToArray());
            for (var i = 0; i < length; i++)
            {
                var e = NaiveReference.Adagrad(w[i], g[i], a[i], step);
                AssertClose(e.Weight, wr[i], 1e-6, 1e-5, $"weight length {length} [{i}]");
                AssertClose(e.Accumulator, ar[i], 1e-9, 1e-5, $"accumulator length {length} [{i}]");
            }
        }
    }

    [Fact]
    public void AdaptiveUpdatesRejectVectorsOfAnotherLength()
    {
        var adam = new AdamStep(0.1f, 0.1f, 0.001f, 1e-7f, 1f, 0f, 0f, Amsgrad: true);
        var ex = Assert.ThrowsAny<ArgumentException>(() => Backend.Adam(Zeros(4), Zeros(4), Zeros(4), Zeros(4), Zeros(3), adam));
        Assert.Contains("vMax", ex.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => Backend.RmsProp(Zeros(4), Zeros(4), Zeros(5), default, default, new RmsPropStep(0.1f, 0.9f, 0.1f, 0f, 1e-7f, 1f, 0f, false)));
        Assert.ThrowsAny<ArgumentException>(() => Backend.Adagrad(Zeros(4), Zeros(2), Zeros(4), new AdagradStep(0.1f, 1e-7f, 1f, 0f)));
    }
}
