using System.Runtime.InteropServices;

namespace DistTrain.Kernels.Onnx;

/// <summary>
/// The few ONNX protobuf messages an export needs, with the field numbers of
/// <c>onnx/onnx.proto</c> (IR version 7 and later). Each method builds one message.
/// </summary>
internal static class OnnxProto
{
    /// <summary><c>TensorProto.DataType.FLOAT</c>.</summary>
    public const int Float = 1;

    /// <summary><c>TensorProto.DataType.INT64</c>.</summary>
    public const int Int64 = 7;

    /// <summary>ModelProto: ir_version 1, producer_name 2, producer_version 3, doc_string 6, graph 7, opset_import 8.</summary>
    public static ProtoWriter Model(long irVersion, long opset, string producer, string producerVersion, string docString, ProtoWriter graph) =>
        new ProtoWriter()
            .Int64(1, irVersion)
            .String(2, producer)
            .String(3, producerVersion)
            .String(6, docString)
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, string.Empty).Int64(2, opset)); // OperatorSetIdProto: domain 1 ("" = ai.onnx), version 2

    /// <summary>GraphProto: node 1, name 2, initializer 5, input 11, output 12.</summary>
    public static ProtoWriter Graph(string name, IEnumerable<ProtoWriter> nodes, IEnumerable<ProtoWriter> initializers, IEnumerable<ProtoWriter> inputs, IEnumerable<ProtoWriter> outputs) =>
        new ProtoWriter()
            .Messages(1, nodes)
            .String(2, name)
            .Messages(5, initializers)
            .Messages(11, inputs)
            .Messages(12, outputs);

    /// <summary>NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.</summary>
    public static ProtoWriter Node(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params ProtoWriter[] attributes) =>
        new ProtoWriter()
            .Strings(1, inputs)
            .Strings(2, outputs)
            .String(3, name)
            .String(4, opType)
            .Messages(5, attributes);

    /// <summary>AttributeProto of type INT (2): name 1, i 3, type 20.</summary>
    public static ProtoWriter Attribute(string name, long value) =>
        new ProtoWriter().String(1, name).Int64(3, value).Int32(20, 2);

    /// <summary>AttributeProto of type STRING (3): name 1, s 4, type 20.</summary>
    public static ProtoWriter Attribute(string name, string value) =>
        new ProtoWriter().String(1, name).Bytes(4, System.Text.Encoding.UTF8.GetBytes(value)).Int32(20, 3);

    /// <summary>AttributeProto of type INTS (7): name 1, ints 8, type 20.</summary>
    public static ProtoWriter Attribute(string name, params long[] values) =>
        new ProtoWriter().String(1, name).Int64s(8, values).Int32(20, 7);

    /// <summary>A float TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian).</summary>
    public static ProtoWriter Tensor(string name, IEnumerable<long> dims, ReadOnlySpan<float> values)
    {
        ThrowIfBigEndian();
        return new ProtoWriter().Int64s(1, dims).Int32(2, Float).String(8, name).Bytes(9, MemoryMarshal.AsBytes(values));
    }

    /// <summary>An int64 TensorProto (dims 1, data_type 2, name 8, raw_data 9).</summary>
    public static ProtoWriter Tensor(string name, IEnumerable<long> dims, ReadOnlySpan<long> values)
    {
        ThrowIfBigEndian();
        return new ProtoWriter().Int64s(1, dims).Int32(2, Int64).String(8, name).Bytes(9, MemoryMarshal.AsBytes(values));
    }

    /// <summary>
    /// ValueInfoProto (name 1, type 2) of a float tensor: TypeProto.tensor_type 1 →
    /// Tensor (elem_type 1, shape 2) → TensorShapeProto.dim 1 → Dimension (dim_value 1 or dim_param 2).
    /// A null dimension is symbolic, named <paramref name="symbolic"/>.
    /// </summary>
    public static ProtoWriter FloatTensorInfo(string name, IEnumerable<long?> shape, string symbolic)
    {
        var tensorShape = new ProtoWriter().Messages(1, shape.Select(d => d is { } value ? new ProtoWriter().Int64(1, value) : new ProtoWriter().String(2, symbolic)));
        var tensorType = new ProtoWriter().Int32(1, Float).Message(2, tensorShape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }

    private static void ThrowIfBigEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this platform is big-endian.");
        }
    }
}
