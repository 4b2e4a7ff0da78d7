using DistTrain.Kernels.Models;

namespace DistTrain.Kernels.Tests.Models;

public sealed class ParameterLayoutTests
{
    [Fact]
    public void MnistMlpLayoutNamesEveryTensorAtConsecutiveOffsets()
    {
        ParameterLayout layout = ParameterLayout.For(ModelPresets.MnistMlp());

        Assert.Equal(
            [
                new ParameterEntry("dense_0/kernel", 0, 784 * 512, [784, 512]),
                new ParameterEntry("dense_0/bias", 784 * 512, 512, [512]),
                new ParameterEntry("dense_1/kernel", (784 * 512) + 512, 512 * 256, [512, 256]),
                new ParameterEntry("dense_1/bias", (784 * 512) + 512 + (512 * 256), 256, [256]),
                new ParameterEntry("dense_2/kernel", (784 * 512) + 512 + (512 * 256) + 256, 2560, [256, 10]),
                new ParameterEntry("dense_2/bias", (784 * 512) + 512 + (512 * 256) + 256 + 2560, 10, [10]),
            ],
            layout.Entries);
        Assert.Equal(535_818, layout.Total);
        Assert.Equal(layout.Entries[2], layout["dense_1/kernel"]);
    }

    [Fact]
    public void LayoutsOfEqualSpecsAreEqualAndDifferentOnesAreRejectedWithBothDescriptions()
    {
        ParameterLayout a = ParameterLayout.For(ModelPresets.MnistMlp());
        ParameterLayout b = ParameterLayout.For(ModelSpec.FromJson(ModelPresets.MnistMlp().ToJson()));
        ParameterLayout c = ParameterLayout.For(ModelPresets.LinearRegression(784));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        a.EnsureSameAs(b, "the checkpoint");
        var ex = Assert.Throws<InvalidOperationException>(() => a.EnsureSameAs(c, "the checkpoint"));
        Assert.Contains("dense_0/kernel [784, 512]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dense_0/kernel [784, 1]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("checkpoint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InitialWeightsAreAPureFunctionOfSpecAndSeedWithGlorotKernelsAndZeroBiases()
    {
        ModelSpec spec = ModelPresets.MnistMlp();
        ParameterLayout layout = ParameterLayout.For(spec);

        float[] first = ParameterInitializer.Initialize(spec, 7);
        float[] again = ParameterInitializer.Initialize(spec, 7);
        float[] other = ParameterInitializer.Initialize(spec, 8);

        SyntheticData.AssertBitIdentical(first, again, "same seed");
        Assert.False(first.AsSpan().SequenceEqual(other), "a different seed gives different weights");
        foreach (ParameterEntry entry in layout.Entries)
        {
            Span<float> values = first.AsSpan(entry.Offset, entry.Length);
            if (entry.Name.EndsWith("/bias", StringComparison.Ordinal))
            {
                Assert.True(values.IndexOfAnyExcept(0f) < 0, $"{entry.Name} starts at zero");
                continue;
            }

            double limit = Math.Sqrt(6.0 / (entry.Shape[0] + entry.Shape[1]));
            double mean = 0;
            double sumSq = 0;
            foreach (float v in values)
            {
                Assert.InRange(v, -limit, limit);
                mean += v;
                sumSq += v * v;
            }

            mean /= values.Length;
            // Uniform(±limit) has variance limit²/3.
            Assert.InRange(sumSq / values.Length, 0.9 * limit * limit / 3, 1.1 * limit * limit / 3);
            Assert.InRange(mean, -0.05 * limit, 0.05 * limit);
        }
    }

    [Fact]
    public void TruncatedNormalStaysWithinTwoStandardDeviations()
    {
        var values = new float[10_000];

        ParameterInitializer.Fill(values, [100, 100], InitializerKind.TruncatedNormal, 3, 0);

        Assert.All(values, v => Assert.InRange(v, -0.1f, 0.1f));
        double std = Math.Sqrt(values.Average(v => (double)v * v));
        // A normal truncated at ±2σ has standard deviation ≈ 0.88σ.
        Assert.InRange(std, 0.04, 0.047);
    }
}
