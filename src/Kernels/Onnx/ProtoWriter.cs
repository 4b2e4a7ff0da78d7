using Google.Protobuf;

namespace DistTrain.Kernels.Onnx;

/// <summary>
/// Writes one protobuf message field by field with <see cref="CodedOutputStream"/>. A nested
/// message is written to its own writer first and embedded as a length-delimited field;
/// repeated scalars are written unpacked (one tag per value), which every parser accepts for
/// the proto2 <c>onnx.proto</c>.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _output;

    public ProtoWriter() => _output = new CodedOutputStream(_buffer, leaveOpen: true);

    public ProtoWriter String(int field, string? value)
    {
        if (value is not null)
        {
            _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            _output.WriteString(value);
        }

        return this;
    }

    public ProtoWriter Int64(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    public ProtoWriter Int32(int field, int value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt32(value);
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
        return this;
    }

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoWriter Message(int field, ProtoWriter message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Bytes(field, message.ToArray());
    }

    public ProtoWriter Messages(int field, IEnumerable<ProtoWriter> messages)
    {
        foreach (ProtoWriter message in messages)
        {
            Message(field, message);
        }

        return this;
    }

    public ProtoWriter Int64s(int field, IEnumerable<long> values)
    {
        foreach (long value in values)
        {
            Int64(field, value);
        }

        return this;
    }

    public ProtoWriter Strings(int field, IEnumerable<string> values)
    {
        foreach (string value in values)
        {
            String(field, value);
        }

        return this;
    }

    public byte[] ToArray()
    {
        _output.Flush();
        return _buffer.ToArray();
    }
}
