using System.Collections;
using System.Runtime.CompilerServices;

namespace DistTrain.Kernels.Tensors;

/// <summary>
/// The dimensions of a <see cref="Tensor"/>, outermost first (row-major). Immutable; printed
/// like TensorFlow's <c>TensorShape</c> tuple: <c>(2, 3)</c>, <c>(3,)</c>, <c>()</c>.
/// </summary>
[CollectionBuilder(typeof(TensorShape), nameof(Create))]
public sealed class TensorShape : IEquatable<TensorShape>, IReadOnlyList<int>
{
    private readonly int[] _dims;

    /// <summary>Creates a shape; every dimension must be non-negative.</summary>
    public TensorShape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long size = 1;
        foreach (var d in dims)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Shape ({string.Join(", ", dims)}) has a negative dimension.", nameof(dims));
            }

            size *= d;
            if (size > Array.MaxLength)
            {
                throw new ArgumentException($"Shape ({string.Join(", ", dims)}) has more than {Array.MaxLength} elements.", nameof(dims));
            }
        }

        _dims = (int[])dims.Clone();
        Size = (int)size;
    }

    /// <summary>Builds a shape from a collection expression: <c>Tensor.Zeros([2, 3])</c>.</summary>
    public static TensorShape Create(ReadOnlySpan<int> dims) => new(dims.ToArray());

    /// <inheritdoc />
    int IReadOnlyCollection<int>.Count => _dims.Length;

    /// <inheritdoc />
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_dims).GetEnumerator();

    /// <inheritdoc />
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The scalar shape <c>()</c>.</summary>
    public static TensorShape Scalar { get; } = new();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <summary>Number of elements (1 for a scalar).</summary>
    public int Size { get; }

    /// <summary>Dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => _dims[NormalizeAxis(axis, Rank)];

    /// <summary>The dimensions as a span.</summary>
    public ReadOnlySpan<int> Dims => _dims;

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => (int[])_dims.Clone();

    /// <summary>Row-major strides in elements.</summary>
    internal int[] Strides()
    {
        var strides = new int[_dims.Length];
        int s = 1;
        for (int i = _dims.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= _dims[i];
        }

        return strides;
    }

    /// <summary>Maps a possibly negative axis into [0, rank), with a clear error.</summary>
    public static int NormalizeAxis(int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"Axis {axis} is out of range for a tensor of rank {rank} (valid: {-rank}..{rank - 1}).");
        }

        return a;
    }

    /// <inheritdoc />
    public bool Equals(TensorShape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TensorShape);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var d in _dims)
        {
            hash.Add(d);
        }

        return hash.ToHashCode();
    }

    /// <summary>TensorFlow's tuple form: <c>(2, 3)</c>, <c>(3,)</c>, <c>()</c>.</summary>
    public override string ToString() => _dims.Length == 1 ? $"({_dims[0]},)" : $"({string.Join(", ", _dims)})";

    /// <summary>Shapes from int arrays: <c>TensorShape s = new[] { 2, 3 };</c></summary>
    public static implicit operator TensorShape(int[] dims) => new(dims);

    /// <summary>Equal dimensions.</summary>
    public static bool operator ==(TensorShape? a, TensorShape? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Different dimensions.</summary>
    public static bool operator !=(TensorShape? a, TensorShape? b) => !(a == b);
}
