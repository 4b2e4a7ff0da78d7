using System.Buffers.Binary;

namespace DistTrain.TensorBoard;

/// <summary>
/// TFRecord framing, the container of TensorBoard event files. Each record is
/// <c>uint64 length</c> (little-endian), <c>uint32 masked_crc32c(length bytes)</c>,
/// <c>byte data[length]</c>, <c>uint32 masked_crc32c(data)</c> (see <see cref="Crc32C.Mask"/>).
/// </summary>
public static class TfRecord
{
    /// <summary>Bytes before the data: the length and its CRC.</summary>
    public const int HeaderSize = sizeof(ulong) + sizeof(uint);

    /// <summary>Bytes after the data: its CRC.</summary>
    public const int FooterSize = sizeof(uint);

    /// <summary>Appends one record holding <paramref name="data"/> to <paramref name="output"/>.</summary>
    public static void Write(Stream output, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<byte> header = stackalloc byte[HeaderSize];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[sizeof(ulong)..], Crc32C.Masked(header[..sizeof(ulong)]));
        Span<byte> footer = stackalloc byte[FooterSize];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        output.Write(header);
        output.Write(data);
        output.Write(footer);
    }

    /// <summary>
    /// The records of <paramref name="input"/>, in order, each checked against both CRCs.
    /// A record cut short at the end (a writer still appending it) ends the sequence; a CRC
    /// that does not match throws <see cref="InvalidDataException"/> naming the record's offset.
    /// </summary>
    public static IEnumerable<byte[]> Read(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var header = new byte[HeaderSize];
        var footer = new byte[FooterSize];
        long offset = 0;
        while (true)
        {
            if (input.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize)
            {
                yield break;
            }

            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(sizeof(ulong))) != Crc32C.Masked(header.AsSpan(0, sizeof(ulong))))
            {
                throw new InvalidDataException($"TFRecord at byte {offset}: the length's CRC does not match.");
            }

            if (length > int.MaxValue)
            {
                throw new InvalidDataException($"TFRecord at byte {offset}: length {length} is too large.");
            }

            var data = new byte[(int)length];
            if (input.ReadAtLeast(data, data.Length, throwOnEndOfStream: false) < data.Length
                || input.ReadAtLeast(footer, FooterSize, throwOnEndOfStream: false) < FooterSize)
            {
                yield break;
            }

            if (BinaryPrimitives.ReadUInt32LittleEndian(footer) != Crc32C.Masked(data))
            {
                throw new InvalidDataException($"TFRecord at byte {offset}: the data's CRC does not match.");
            }

            offset += HeaderSize + data.Length + FooterSize;
            yield return data;
        }
    }
}
