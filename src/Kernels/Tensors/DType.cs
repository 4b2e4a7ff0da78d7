namespace DistTrain.Kernels.Tensors;

/// <summary>Element type of a <see cref="Tensor"/> (TensorFlow's <c>tf.DType</c>, without strings).</summary>
public enum DType
{
    /// <summary>32-bit float, the default for floating-point data and the only type the GEMM runs.</summary>
    Float32,

    /// <summary>64-bit float.</summary>
    Float64,

    /// <summary>32-bit signed integer, the default for integer data.</summary>
    Int32,

    /// <summary>64-bit signed integer (the index type of <c>ArgMax</c> and <c>Where</c>).</summary>
    Int64,

    /// <summary>Boolean.</summary>
    Bool,
}

/// <summary>Helpers on <see cref="DType"/>.</summary>
public static class DTypes
{
    /// <summary>TensorFlow's name: <c>float32</c>, <c>float64</c>, <c>int32</c>, <c>int64</c>, <c>bool</c>.</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int32 => "int32",
        DType.Int64 => "int64",
        DType.Bool => "bool",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>True for float32 and float64, the types gradients flow through.</summary>
    public static bool IsFloating(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>The dtype of a .NET element type.</summary>
    public static DType Of(Type type) =>
        type == typeof(float) ? DType.Float32
        : type == typeof(double) ? DType.Float64
        : type == typeof(int) ? DType.Int32
        : type == typeof(long) ? DType.Int64
        : type == typeof(bool) ? DType.Bool
        : throw new NotSupportedException($"Tensors hold float, double, int, long or bool elements, not {type.Name}.");

    /// <summary>The .NET element type of a dtype.</summary>
    public static Type ClrType(this DType dtype) => dtype switch
    {
        DType.Float32 => typeof(float),
        DType.Float64 => typeof(double),
        DType.Int32 => typeof(int),
        DType.Int64 => typeof(long),
        DType.Bool => typeof(bool),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    internal static Array NewArray(this DType dtype, int length) => dtype switch
    {
        DType.Float32 => new float[length],
        DType.Float64 => new double[length],
        DType.Int32 => new int[length],
        DType.Int64 => new long[length],
        DType.Bool => new bool[length],
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };
}
