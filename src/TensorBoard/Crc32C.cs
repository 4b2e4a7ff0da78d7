using System.Buffers.Binary;
using System.Numerics;

namespace DistTrain.TensorBoard;

/// <summary>
/// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final xor
/// 0xFFFFFFFF) and the masking TFRecord applies to it. <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// uses the CPU's CRC32 instruction where there is one.
/// </summary>
public static class Crc32C
{
    /// <summary>Added by <see cref="Mask"/> after the rotation.</summary>
    public const uint MaskDelta = 0xa282ead8;

    /// <summary>The CRC-32C of <paramref name="data"/> (0xE3069283 for the ASCII bytes "123456789").</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary>TFRecord's masked CRC: <c>((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8</c>, so that a CRC of data holding CRCs stays strong.</summary>
    public static uint Mask(uint crc) => unchecked(BitOperations.RotateRight(crc, 15) + MaskDelta);

    /// <summary>The masked CRC-32C of <paramref name="data"/>.</summary>
    public static uint Masked(ReadOnlySpan<byte> data) => Mask(Compute(data));
}
