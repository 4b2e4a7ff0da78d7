using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;

namespace DistTrain.Grains.Tests.TensorBoard;

/// <summary>A scalar as the test's own reader found it in an event file.</summary>
public sealed record FoundScalar(string Tag, long Step, float Value);

/// <summary>What the test's own reader found in one event file.</summary>
public sealed record EventFileContents(string FileVersion, IReadOnlyList<FoundScalar> Scalars, IReadOnlyList<long> Starts, int Records);

/// <summary>
/// An event-file reader written from the format's documentation alone, independent of
/// DistTrain.TensorBoard: TFRecord framing (tensorflow/core/lib/io/record_writer.cc: uint64
/// length, uint32 masked CRC-32C of the length, data, uint32 masked CRC-32C of the data; mask =
/// ((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8) and the wire fields of
/// tensorflow/core/util/event.proto (Event: 1 wall_time double, 2 step int64, 3 file_version,
/// 5 summary, 6 session_log) and framework/summary.proto (Summary: 1 value; Value: 1 tag,
/// 2 simple_value float), decoded with protobuf's generic <see cref="CodedInputStream"/>.
/// </summary>
public static class TfEventsFormat
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>Bitwise-table CRC-32C (reflected polynomial 0x82F63B78).</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFF;
    }

    /// <summary>The TFRecord mask.</summary>
    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8);

    /// <summary>Reads a whole file, asserting every record's framing, and decodes its events.</summary>
    public static EventFileContents Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int offset = 0;
        int records = 0;
        string? version = null;
        var scalars = new List<FoundScalar>();
        var starts = new List<long>();
        while (offset < bytes.Length)
        {
            Assert.True(bytes.Length - offset >= 12, $"{path}: {bytes.Length - offset} stray bytes at {offset}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset));
            Assert.Equal(Mask(Crc32C(bytes.AsSpan(offset, 8))), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)));
            Assert.True((ulong)(bytes.Length - offset - 16) >= length, $"{path}: record at {offset} of {length} bytes runs past the end");
            var data = bytes.AsSpan(offset + 12, (int)length);
            Assert.Equal(Mask(Crc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 12 + (int)length)));
            offset += 16 + (int)length;
            records++;
            DecodeEvent(data.ToArray(), ref version, scalars, starts);
        }

        Assert.NotNull(version);
        return new EventFileContents(version, scalars, starts, records);
    }

    private static void DecodeEvent(byte[] data, ref string? version, List<FoundScalar> scalars, List<long> starts)
    {
        var input = new CodedInputStream(data);
        long step = 0;
        byte[]? summary = null;
        byte[]? sessionLog = null;
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: input.ReadDouble(); break;
                case 2: step = input.ReadInt64(); break;
                case 3: version = input.ReadString(); break;
                case 5: summary = input.ReadBytes().ToByteArray(); break;
                case 6: sessionLog = input.ReadBytes().ToByteArray(); break;
                default: input.SkipLastField(); break;
            }
        }

        if (summary is not null)
        {
            var values = new CodedInputStream(summary);
            for (uint tag; (tag = values.ReadTag()) != 0;)
            {
                Assert.Equal(1, WireFormat.GetTagFieldNumber(tag));
                scalars.Add(DecodeValue(values.ReadBytes().ToByteArray(), step));
            }
        }

        if (sessionLog is not null)
        {
            var log = new CodedInputStream(sessionLog);
            for (uint tag; (tag = log.ReadTag()) != 0;)
            {
                if (WireFormat.GetTagFieldNumber(tag) == 1 && log.ReadEnum() == 1)
                {
                    starts.Add(step); // SessionLog.START
                }
                else
                {
                    log.SkipLastField();
                }
            }
        }
    }

    private static FoundScalar DecodeValue(byte[] data, long step)
    {
        var input = new CodedInputStream(data);
        string? name = null;
        float? value = null;
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: name = input.ReadString(); break;
                case 2: value = input.ReadFloat(); break;
                default: input.SkipLastField(); break;
            }
        }

        Assert.NotNull(name);
        Assert.NotNull(value);
        return new FoundScalar(name, step, value.Value);
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }

    /// <summary>The ASCII bytes of <paramref name="text"/>.</summary>
    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
