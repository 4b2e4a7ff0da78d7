namespace DistTrain.Kernels.Tensors;

/// <summary>
/// One entry of a tensor index (<c>t[1, .., TensorIndex.Slice(null, null, -1)]</c>): a single
/// position (an int, negative from the end), a slice <c>start:stop:step</c> (a C# range such as
/// <c>1..^1</c>, or <see cref="Slice"/> for steps), <see cref="Ellipsis"/> (<c>...</c>) or
/// <see cref="NewAxis"/> (<c>tf.newaxis</c>). Out-of-range slice bounds are clamped, as in Python.
/// </summary>
public readonly record struct TensorIndex
{
    internal enum IndexKind
    {
        Single,
        Slice,
        Ellipsis,
        NewAxis,
    }

    private TensorIndex(IndexKind kind, int? start, int? stop, int step)
    {
        Kind = kind;
        Start = start;
        Stop = stop;
        Step = step;
    }

    internal IndexKind Kind { get; }

    internal int? Start { get; }

    internal int? Stop { get; }

    internal int Step { get; }

    /// <summary><c>...</c>: as many full slices as the other entries leave.</summary>
    public static TensorIndex Ellipsis { get; } = new(IndexKind.Ellipsis, null, null, 1);

    /// <summary>A new dimension of size 1.</summary>
    public static TensorIndex NewAxis { get; } = new(IndexKind.NewAxis, null, null, 1);

    /// <summary>All of a dimension (<c>:</c>).</summary>
    public static TensorIndex All { get; } = new(IndexKind.Slice, null, null, 1);

    /// <summary>Python's <c>start:stop:step</c>; null bounds are the ends for the step's direction; negative bounds count from the end.</summary>
    public static TensorIndex Slice(int? start = null, int? stop = null, int step = 1)
    {
        if (step == 0)
        {
            throw new ArgumentException("A slice step cannot be zero.", nameof(step));
        }

        return new TensorIndex(IndexKind.Slice, start, stop, step);
    }

    /// <summary>A single position (the dimension is removed).</summary>
    public static implicit operator TensorIndex(int index) => new(IndexKind.Single, index, null, 1);

    /// <summary>A C# range as a step-1 slice: <c>1..3</c>, <c>..^1</c>, <c>..</c>.</summary>
    public static implicit operator TensorIndex(Range range) => new(IndexKind.Slice, Bound(range.Start, true), Bound(range.End, false), 1);

    private static int? Bound(Index index, bool isStart)
    {
        if (!index.IsFromEnd)
        {
            return index.Value;
        }

        // ^0 is the end of the dimension: "no stop" for an end, the length for a start.
        return index.Value == 0 ? (isStart ? int.MaxValue : null) : -index.Value;
    }
}
