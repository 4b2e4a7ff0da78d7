using DistTrain.Grains.Planning;

namespace DistTrain.Grains.Tests.Planning;

public sealed class FloatBytesTests
{
    [Fact]
    public void FloatsSurviveTheByteRoundTripBitForBit()
    {
        float[] values = [0f, -0f, 1.5f, float.NaN, BitConverter.Int32BitsToSingle(0x7FC00123), float.NegativeInfinity, float.Epsilon, -3.4028235e38f];

        byte[] bytes = FloatBytes.ToBytes(values);
        float[] back = FloatBytes.AsFloats(bytes).ToArray();

        Assert.Equal(values.Length * sizeof(float), bytes.Length);
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), back.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void APayloadThatIsNotWholeFloatsIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => FloatBytes.AsFloats(new byte[6]));
        Assert.Contains("6 bytes", e.Message);
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(1, 4)]
    [InlineData(4, 4)]
    [InlineData(9, 4)]
    [InlineData(12, 4)]
    public void ChunksAreConsecutiveCoverTheRangeAndStayUnderTheLimit(int length, int max)
    {
        var chunks = FloatBytes.Chunks(length, max).ToList();

        Assert.Equal((length + max - 1) / max, chunks.Count);
        int next = 0;
        foreach (var (offset, count) in chunks)
        {
            Assert.Equal(next, offset);
            Assert.InRange(count, 1, max);
            next += count;
        }

        Assert.Equal(length, next);
    }

    [Fact]
    public void DefaultChunksHoldAtMostSixteenMebibytes()
    {
        var chunks = FloatBytes.Chunks(10_000_000).ToList();

        Assert.Equal(3, chunks.Count);
        Assert.All(chunks, c => Assert.True(c.Count * sizeof(float) <= 16 << 20));
    }
}
