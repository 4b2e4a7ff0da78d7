using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace DistTrain.Grains.Link;

/// <summary>
/// The frames of the tensor link. A connection opens with <see cref="Magic"/> from the
/// connecting side; then both directions carry frames of a 16-byte header (prefix length,
/// payload length, request id; little-endian), a small prefix (the request or response fields)
/// and a payload (the vector bytes, sent and received without a copy into another buffer).
/// Requests: <see cref="Push"/> (slice key, run, step, node, offset, encoding; payload = the
/// gradient bytes) and <see cref="Read"/> (slice key, kind, offset, count). Responses start
/// with <see cref="Ok"/> or <see cref="Failed"/> (then a message).
/// Lengths over <see cref="MaxPrefix"/> or <see cref="PayloadLimits.MaxChunkBytes"/> close the connection.
/// </summary>
internal static class LinkProtocol
{
    public const int HeaderBytes = 16;
    public const int MaxPrefix = 4096;
    public const byte Push = 1;
    public const byte Read = 2;
    public const byte Ok = 0;
    public const byte Failed = 1;

    /// <summary>The first bytes a client sends: the protocol and its version.</summary>
    public static ReadOnlySpan<byte> Magic => "DTLINK02"u8;

    /// <summary>A header plus prefix in a rented array (return it to <see cref="ArrayPool{T}.Shared"/> once written).</summary>
    public static (byte[] Buffer, int Length) Frame(ulong id, int payloadLength, Action<PrefixWriter> prefix)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(HeaderBytes + MaxPrefix);
        var writer = new PrefixWriter(buffer, HeaderBytes);
        prefix(writer);
        int prefixLength = writer.Position - HeaderBytes;
        BinaryPrimitives.WriteInt32LittleEndian(buffer, prefixLength);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(4), payloadLength);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(8), id);
        return (buffer, writer.Position);
    }

    /// <summary>Reads a header; null at a clean end of stream; throws <see cref="InvalidDataException"/> on lengths out of bounds.</summary>
    public static async ValueTask<(int Prefix, int Payload, ulong Id)?> ReadHeader(Stream stream, byte[] header, CancellationToken cancellationToken)
    {
        int read = await stream.ReadAtLeastAsync(header.AsMemory(0, HeaderBytes), HeaderBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < HeaderBytes)
        {
            throw new EndOfStreamException("the link closed inside a frame header");
        }

        int prefix = BinaryPrimitives.ReadInt32LittleEndian(header);
        int payload = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
        if (prefix is < 1 or > MaxPrefix || payload < 0 || payload > PayloadLimits.MaxChunkBytes)
        {
            throw new InvalidDataException($"a frame of prefix {prefix} and payload {payload} bytes is out of bounds (prefix 1-{MaxPrefix}, payload at most {PayloadLimits.MaxChunkBytes})");
        }

        return (prefix, payload, BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(8)));
    }

    /// <summary>Writes the fields of a prefix after the header.</summary>
    public sealed class PrefixWriter(byte[] buffer, int start)
    {
        public int Position { get; private set; } = start;

        public void Byte(byte value) => buffer[Position++] = value;

        public void Int32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(Position), value);
            Position += 4;
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(Position), value);
            Position += 8;
        }

        public void String(string value)
        {
            int length = Encoding.UTF8.GetByteCount(value);
            if (length > 1024)
            {
                length = Encoding.UTF8.GetBytes(value.AsSpan(0, Math.Min(value.Length, 300)), buffer.AsSpan(Position + 2)); // messages are cut; keys and run ids are short
            }
            else
            {
                Encoding.UTF8.GetBytes(value, buffer.AsSpan(Position + 2));
            }

            BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(Position), (ushort)length);
            Position += 2 + length;
        }
    }

    /// <summary>Reads the fields of a received prefix; throws <see cref="InvalidDataException"/> when it is shorter than its fields.</summary>
    public ref struct PrefixReader(ReadOnlySpan<byte> prefix)
    {
        private readonly ReadOnlySpan<byte> _prefix = prefix;
        private int _position;

        public byte Byte() => Take(1)[0];

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public string String() => Encoding.UTF8.GetString(Take(BinaryPrimitives.ReadUInt16LittleEndian(Take(2))));

        private ReadOnlySpan<byte> Take(int count)
        {
            if (_position + count > _prefix.Length)
            {
                throw new InvalidDataException($"a frame prefix of {_prefix.Length} bytes ends inside its fields");
            }

            ReadOnlySpan<byte> span = _prefix.Slice(_position, count);
            _position += count;
            return span;
        }
    }
}
