using System.Runtime.InteropServices;

namespace DistTrain.Grains.Planning;

/// <summary>
/// Floats ↔ the byte arrays that carry them in messages, and the chunking of long ranges.
/// Orleans copies a <c>byte[]</c> as one block but writes a <c>float[]</c> element by
/// element (measured ≈10× slower between silos); chunks stay under
/// <see cref="PayloadLimits.MaxChunkBytes"/> because Orleans drops messages over 100 MB.
/// </summary>
public static class FloatBytes
{
    /// <summary>The floats as a new little-endian byte array.</summary>
    public static byte[] ToBytes(ReadOnlySpan<float> values)
    {
        ThrowIfBigEndian();
        return MemoryMarshal.AsBytes(values).ToArray();
    }

    /// <summary>The bytes viewed as floats (no copy); throws unless the length is a multiple of 4.</summary>
    public static ReadOnlySpan<float> AsFloats(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ThrowIfBigEndian();
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new ArgumentException($"A float payload of {bytes.Length} bytes is not a whole number of floats.", nameof(bytes));
        }

        return MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
    }

    /// <summary>
    /// Splits <c>[0, length)</c> into consecutive chunks of at most
    /// <paramref name="maxFloats"/> floats, as (offset, count) pairs; an empty range gives none.
    /// </summary>
    public static IEnumerable<(int Offset, int Count)> Chunks(int length, int maxFloats = PayloadLimits.MaxChunkFloats)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFloats);
        for (int offset = 0; offset < length; offset += maxFloats)
        {
            yield return (offset, Math.Min(maxFloats, length - offset));
        }
    }

    private static void ThrowIfBigEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Vector payloads are little-endian floats; this platform is big-endian.");
        }
    }
}
