namespace DistTrain.Kernels.Tests.Backends;

/// <summary>The kernel-regulariser reduction and gradient.</summary>
public abstract partial class BackendContractTests
{
    [Fact]
    public void SumOfAbsolutesMatchesTheDoubleSumForEveryLength()
    {
        var random = new Random(75);
        foreach (var length in SweepLengths())
        {
            var x = RandomFloats(random, length, 3f);
            var expected = x.Sum(v => Math.Abs((double)v));
            AssertClose(expected, Backend.SumOfAbsolutes(Upload(x)), 1e-12, 1e-12, $"length {length}");
        }
    }

    [Fact]
    public void RegularizerGradientAddsL1SignAndTwiceL2TimesTheWeight()
    {
        var random = new Random(76);
        foreach (var length in SweepLengths())
        {
            var w = RandomFloats(random, length);
            if (length > 3)
            {
                w[3] = 0f; // sign(0) = 0
            }

            var g = RandomFloats(random, length);
            var gradient = Upload(g);
            Backend.AddRegularizerGradient(Upload(w), gradient, 0.3f, 0.05f);
            var actual = gradient.ToArray();
            for (var i = 0; i < length; i++)
            {
                var expected = g[i] + (0.3 * Math.Sign(w[i])) + (2 * 0.05 * w[i]);
                AssertClose(expected, actual[i], 1e-6, 1e-6, $"length {length} [{i}]");
            }
        }
    }
}
