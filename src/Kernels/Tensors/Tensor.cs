using System.Runtime.InteropServices;

namespace DistTrain.Kernels.Tensors;

/// <summary>
/// An eager, immutable n-dimensional array with TensorFlow's semantics: a <see cref="Shape"/>,
/// a <see cref="DType"/>, row-major host storage and a <see cref="Device"/>. Operations are static
/// methods of this class (<c>Tensor.MatMul(a, b)</c>; <c>using static</c> gives <c>MatMul(a, b)</c>),
/// the common ones also operators and instance methods. Every operation on floating-point tensors
/// is recorded by the active <see cref="GradientTape"/>s. <see cref="Variable"/> is the mutable kind.
/// </summary>
/// <remarks>Shape legend of the op files: <c>(B, M, K)</c> = batch, rows, inner dimension.</remarks>
public partial class Tensor
{
    private Array _data;

    internal Tensor(Array data, TensorShape shape, DType dtype, TensorDevice? device = null)
    {
        if (data.Length != shape.Size)
        {
            throw new ArgumentException($"{data.Length} elements do not fill shape {shape} ({shape.Size} elements).", nameof(data));
        }

        _data = data;
        Shape = shape;
        DType = dtype;
        Device = device ?? TensorDevice.Cpu;
    }

    /// <summary>The dimensions.</summary>
    public TensorShape Shape { get; }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>Where the tensor's operations run (<see cref="TensorDevice.Cpu"/> unless <see cref="To"/> moved it).</summary>
    public TensorDevice Device { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Size => Shape.Size;

    /// <summary>A scalar made by an implicit conversion from a .NET number: it takes the dtype of the other operand, like a Python literal in TensorFlow.</summary>
    internal bool IsWeakScalar { get; private init; }

    internal Array Data => _data;

    internal T[] Values<T>() => (T[])_data;

    /// <summary>Replaces the storage (only <see cref="Variable"/> does this).</summary>
    internal void SetData(Array data) => _data = data;

    /// <summary>The elements, row-major, without copying; <typeparamref name="T"/> must match <see cref="DType"/>.</summary>
    public ReadOnlySpan<T> AsSpan<T>()
    {
        CheckElementType<T>();
        return (T[])_data;
    }

    /// <summary>A copy of the elements, row-major.</summary>
    public T[] ToArray<T>() => AsSpan<T>().ToArray();

    /// <summary>A copy as a .NET array of the same rank (a scalar gives a one-element, rank-1 array).</summary>
    public Array ToMultiDimArray()
    {
        var result = System.Array.CreateInstance(DType.ClrType(), Rank == 0 ? [1] : Shape.ToArray());
        System.Buffer.BlockCopy(_data, 0, result, 0, System.Buffer.ByteLength(_data));
        return result;
    }

    /// <summary>The value of a one-element tensor (TensorFlow's <c>.numpy()</c> on a scalar).</summary>
    public T ToScalar<T>()
    {
        CheckElementType<T>();
        if (Size != 1)
        {
            throw new InvalidOperationException($"ToScalar needs a tensor of one element; this one has shape {Shape}.");
        }

        return ((T[])_data)[0];
    }

    /// <summary>The element at a full index (negative indices count from the end).</summary>
    public T GetValue<T>(params int[] index)
    {
        CheckElementType<T>();
        if (index.Length != Rank)
        {
            throw new ArgumentException($"A tensor of shape {Shape} needs {Rank} indices, not {index.Length}.", nameof(index));
        }

        int offset = 0;
        for (int d = 0; d < Rank; d++)
        {
            int i = index[d] < 0 ? index[d] + Shape[d] : index[d];
            if (i < 0 || i >= Shape[d])
            {
                throw new IndexOutOfRangeException($"Index {index[d]} is out of range for dimension {d} of size {Shape[d]} (shape {Shape}).");
            }

            offset = offset * Shape[d] + i;
        }

        return ((T[])_data)[offset];
    }

    private void CheckElementType<T>()
    {
        if (DTypes.Of(typeof(T)) != DType)
        {
            throw new InvalidCastException($"The tensor holds {DType.Name()}, not {typeof(T).Name}.");
        }
    }

    /// <summary>A tensor over <paramref name="values"/> (copied) with the given shape.</summary>
    public static Tensor From<T>(ReadOnlySpan<T> values, TensorShape shape)
        where T : unmanaged
    {
        var dtype = DTypes.Of(typeof(T));
        if (values.Length != shape.Size)
        {
            throw new ArgumentException($"{values.Length} values do not fill shape {shape} ({shape.Size} elements).", nameof(values));
        }

        return new Tensor(values.ToArray(), shape, dtype);
    }

    /// <summary>A rank-1 tensor over a copy of <paramref name="values"/>.</summary>
    public static Tensor From<T>(params T[] values)
        where T : unmanaged => From<T>(values, new TensorShape(values.Length));

    /// <summary>A scalar.</summary>
    public static Tensor Scalar<T>(T value)
        where T : unmanaged => From<T>([value], TensorShape.Scalar);

    /// <summary>
    /// A tensor from a rectangular .NET array of any rank (<c>new float[,] { { 1, 2 }, { 3, 4 } }</c>)
    /// or a jagged one (<c>new[] { new[] { 1, 2 }, new[] { 3, 4 } }</c>); the dtype is the element type.
    /// </summary>
    public static Tensor From(Array array)
    {
        ArgumentNullException.ThrowIfNull(array);
        var elementType = array.GetType().GetElementType()!;
        if (elementType.IsArray)
        {
            return FromJagged(array);
        }

        var dtype = DTypes.Of(elementType);
        var dims = new int[array.Rank];
        for (int d = 0; d < dims.Length; d++)
        {
            dims[d] = array.GetLength(d);
        }

        var data = dtype.NewArray(array.Length);
        System.Buffer.BlockCopy(array, 0, data, 0, System.Buffer.ByteLength(array));
        return new Tensor(data, new TensorShape(dims), dtype);
    }

    private static Tensor FromJagged(Array array)
    {
        var rows = new Tensor[array.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = From((Array)array.GetValue(i)!);
        }

        if (rows.Length == 0)
        {
            throw new ArgumentException("An empty jagged array has no element type to infer.", nameof(array));
        }

        for (int i = 1; i < rows.Length; i++)
        {
            if (rows[i].Shape != rows[0].Shape)
            {
                throw new ArgumentException($"Jagged rows must have one shape: row 0 is {rows[0].Shape}, row {i} is {rows[i].Shape}.", nameof(array));
            }
        }

        return Stack(rows, 0);
    }

    /// <summary>A tensor filled from a function of the flat index (used by the creation helpers).</summary>
    internal static Tensor Generate<T>(TensorShape shape, Func<int, T> value)
    {
        var data = new T[shape.Size];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = value(i);
        }

        return new Tensor(data, shape, DTypes.Of(typeof(T)));
    }

    /// <summary>Wraps an array this assembly made (no copy).</summary>
    internal static Tensor Wrap<T>(T[] data, TensorShape shape) => new(data, shape, DTypes.Of(typeof(T)));

    /// <summary>The same elements viewed as <typeparamref name="TTo"/> bytes (never used across sizes).</summary>
    internal static Span<TTo> Reinterpret<TFrom, TTo>(Span<TFrom> span)
        where TFrom : struct
        where TTo : struct => MemoryMarshal.Cast<TFrom, TTo>(span);

    /// <summary>Scalar <c>float</c> that takes the other operand's dtype.</summary>
    public static implicit operator Tensor(float value) => new(new float[] { value }, TensorShape.Scalar, DType.Float32) { IsWeakScalar = true };

    /// <summary>Scalar <c>double</c> that takes the other operand's dtype.</summary>
    public static implicit operator Tensor(double value) => new(new double[] { value }, TensorShape.Scalar, DType.Float64) { IsWeakScalar = true };

    /// <summary>Scalar <c>int</c> that takes the other operand's dtype.</summary>
    public static implicit operator Tensor(int value) => new(new int[] { value }, TensorShape.Scalar, DType.Int32) { IsWeakScalar = true };

    /// <summary>Scalar <c>long</c> that takes the other operand's dtype.</summary>
    public static implicit operator Tensor(long value) => new(new long[] { value }, TensorShape.Scalar, DType.Int64) { IsWeakScalar = true };

    /// <summary>Scalar <c>bool</c>.</summary>
    public static implicit operator Tensor(bool value) => new(new bool[] { value }, TensorShape.Scalar, DType.Bool) { IsWeakScalar = true };
}
