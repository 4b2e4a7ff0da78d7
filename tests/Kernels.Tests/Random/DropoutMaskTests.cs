using DistTrain.Kernels.Randomness;

namespace DistTrain.Kernels.Tests.Randomness;

/// <summary>Dropout masks: a pure function of (seed, layer, step, row), whatever the grouping of rows.</summary>
public sealed class DropoutMaskTests
{
    [Fact]
    public void ARowGetsTheSameMaskWhicheverSliceOfTheBatchItIsComputedIn()
    {
        const int Rows = 64, Size = 37;
        var whole = new float[Rows * Size];
        DropoutMask.Fill(7, 1, 12, 0, Rows, Size, 0.3f, whole);

        // Four workers of 16 rows, and eight micro-shards of 8 rows.
        foreach (var slice in new[] { 16, 8, 1 })
        {
            var pieces = new float[Rows * Size];
            for (var first = 0; first < Rows; first += slice)
            {
                DropoutMask.Fill(7, 1, 12, first, slice, Size, 0.3f, pieces.AsSpan(first * Size, slice * Size));
            }

            Assert.Equal(whole, pieces);
        }
    }

    [Fact]
    public void KeptElementsAreScaledByOneOverOneMinusRateAndAboutRateAreDropped()
    {
        const float Rate = 0.25f;
        var mask = new float[200 * 100];
        DropoutMask.Fill(3, 0, 5, 0, 200, 100, Rate, mask);
        Assert.All(mask, m => Assert.True(m == 0f || m == 1f / (1f - Rate), $"mask value {m}"));
        var dropped = mask.Count(m => m == 0f) / (double)mask.Length;
        Assert.InRange(dropped, Rate - 0.015, Rate + 0.015); // 20,000 draws: σ ≈ 0.003
    }

    [Fact]
    public void SeedLayerAndStepEachChangeTheMask()
    {
        static float[] Mask(ulong seed, ulong layer, long step)
        {
            var mask = new float[4 * 50];
            DropoutMask.Fill(seed, layer, step, 0, 4, 50, 0.5f, mask);
            return mask;
        }

        var reference = Mask(1, 0, 0);
        Assert.Equal(reference, Mask(1, 0, 0));
        Assert.NotEqual(reference, Mask(2, 0, 0));
        Assert.NotEqual(reference, Mask(1, 1, 0));
        Assert.NotEqual(reference, Mask(1, 0, 1));
    }

    [Fact]
    public void RateZeroKeepsEverythingAndBadArgumentsAreRejected()
    {
        var mask = new float[30];
        DropoutMask.Fill(1, 0, 0, 0, 3, 10, 0f, mask);
        Assert.All(mask, m => Assert.Equal(1f, m));
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutMask.Fill(1, 0, 0, 0, 3, 10, 1f, mask));
        Assert.Throws<ArgumentException>(() => DropoutMask.Fill(1, 0, 0, 0, 4, 10, 0.5f, mask));
    }
}
