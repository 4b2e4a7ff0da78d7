using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Training;

public sealed class Bf16Tests
{
    /// <summary>The nearest bfloat16 by brute force: the two neighbours by truncation, compared in double, ties to the even one.</summary>
    private static ushort NearestByComparison(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        ushort down = (ushort)(bits >> 16);
        ushort up = (ushort)(down + 1);
        double d = Math.Abs((double)value - Bf16.Widen(down));
        double u = Math.Abs((double)Bf16.Widen(up) - value);
        return d < u ? down : u < d ? up : (down & 1) == 0 ? down : up;
    }

    [Fact]
    public void RoundingIsToTheNearestBfloat16WithTiesToEven()
    {
        var random = new Random(11);
        for (int i = 0; i < 200_000; i++)
        {
            float value = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
            if (!float.IsFinite(value) || !float.IsFinite(Bf16.Widen((ushort)((BitConverter.SingleToUInt32Bits(value) >> 16) + 1))))
            {
                continue;
            }

            Assert.Equal(NearestByComparison(value), Bf16.Round(value));
        }

        // Exact ties: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7 (even: 1); the next tie up goes up.
        Assert.Equal(1f, Bf16.Widen(Bf16.Round(1f + MathF.Pow(2, -8))));
        Assert.Equal(1f + (3 * MathF.Pow(2, -7)) + MathF.Pow(2, -7), Bf16.Widen(Bf16.Round(1f + (3 * MathF.Pow(2, -7)) + MathF.Pow(2, -8))));
    }

    [Fact]
    public void SpecialValuesSurviveTheRoundTrip()
    {
        Assert.True(float.IsNaN(Bf16.Widen(Bf16.Round(float.NaN))));
        Assert.True(float.IsNaN(Bf16.Widen(Bf16.Round(BitConverter.UInt32BitsToSingle(0x7F800001))))); // a NaN whose payload is in the dropped bits
        Assert.Equal(float.PositiveInfinity, Bf16.Widen(Bf16.Round(float.PositiveInfinity)));
        Assert.Equal(float.NegativeInfinity, Bf16.Widen(Bf16.Round(float.NegativeInfinity)));
        Assert.Equal(float.PositiveInfinity, Bf16.Widen(Bf16.Round(float.MaxValue))); // rounds past the largest bf16
        Assert.Equal(0x8000, Bf16.Round(-0f));
        Assert.Equal(1.5f, Bf16.Widen(Bf16.Round(1.5f)));
    }

    [Fact]
    public void ErrorFeedbackKeepsTheSumOfWhatWasSentWithinOneResidualOfTheTrueSum()
    {
        var random = new Random(5);
        const int n = 1000;
        var residual = new float[n];
        var encoded = new ushort[n];
        var decoded = new float[n];
        var trueSum = new double[n];
        var sentSum = new double[n];
        for (int step = 0; step < 500; step++)
        {
            float[] values = [.. Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * 1e-3))];
            Bf16.EncodeWithFeedback(values, residual, encoded);
            Bf16.Decode(encoded, decoded);
            for (int i = 0; i < n; i++)
            {
                trueSum[i] += values[i];
                sentSum[i] += decoded[i];
            }
        }

        for (int i = 0; i < n; i++)
        {
            // Everything not yet sent is in the residual, up to float rounding of the additions.
            Assert.Equal(trueSum[i], sentSum[i] + residual[i], 1e-7);
            Assert.True(Math.Abs(residual[i]) <= 1e-3 * MathF.Pow(2, -8), $"residual {residual[i]} of element {i}");
        }
    }

    [Fact]
    public void ANonFiniteValueIsSentAsItIsAndResetsItsResidual()
    {
        float[] residual = [0.25f * MathF.Pow(2, -8), 0f];
        var encoded = new ushort[2];

        Bf16.EncodeWithFeedback([float.NaN, float.PositiveInfinity], residual, encoded);

        Assert.True(float.IsNaN(Bf16.Widen(encoded[0])));
        Assert.Equal(float.PositiveInfinity, Bf16.Widen(encoded[1]));
        Assert.Equal([0f, 0f], residual);
        Assert.Throws<ArgumentException>(() => Bf16.EncodeWithFeedback([1f], new float[2], new ushort[1]));
    }
}
