namespace DistTrain.Kernels.Tensors;

/// <summary>Indexing and slicing (<c>t[1, 2]</c>, <c>t[.., 1..^1]</c>, steps, <c>...</c>, new axes) and its gradient.</summary>
public partial class Tensor
{
    /// <summary>NumPy/TensorFlow basic indexing; the result is a copy. See <see cref="TensorIndex"/>.</summary>
    public Tensor this[params TensorIndex[] indices] => StridedSlice(this, indices);

    /// <summary>The slice <c>[start, start + length)</c> of one axis (used by Split and Concat's gradient).</summary>
    internal static Tensor SliceAxis(Tensor x, int axis, int start, int length)
    {
        var index = new TensorIndex[x.Rank];
        for (int i = 0; i < index.Length; i++)
        {
            index[i] = i == axis ? TensorIndex.Slice(start, start + length) : TensorIndex.All;
        }

        return StridedSlice(x, index);
    }

    private static Tensor StridedSlice(Tensor x, TensorIndex[] indices)
    {
        ArgumentNullException.ThrowIfNull(x);
        int consuming = indices.Count(i => i.Kind is TensorIndex.IndexKind.Single or TensorIndex.IndexKind.Slice);
        int ellipses = indices.Count(i => i.Kind == TensorIndex.IndexKind.Ellipsis);
        if (ellipses > 1)
        {
            throw new ArgumentException("An index can contain at most one Ellipsis.");
        }

        if (consuming > x.Rank)
        {
            throw new ArgumentException($"Too many indices ({consuming}) for a tensor of shape {x.Shape}.");
        }

        var strides = x.Shape.Strides();
        var dims = new List<int>();
        var outStrides = new List<int>();
        int offset = 0, d = 0;
        void Full(int dim)
        {
            dims.Add(x.Shape.Dims[dim]);
            outStrides.Add(strides[dim]);
        }

        foreach (var index in indices)
        {
            switch (index.Kind)
            {
                case TensorIndex.IndexKind.Ellipsis:
                    for (int k = 0; k < x.Rank - consuming; k++)
                    {
                        Full(d++);
                    }

                    break;
                case TensorIndex.IndexKind.NewAxis:
                    dims.Add(1);
                    outStrides.Add(0);
                    break;
                case TensorIndex.IndexKind.Single:
                    int n = x.Shape.Dims[d];
                    int i = index.Start!.Value < 0 ? index.Start.Value + n : index.Start.Value;
                    if (i < 0 || i >= n)
                    {
                        throw new IndexOutOfRangeException($"Index {index.Start} is out of range for dimension {d} of size {n} (shape {x.Shape}).");
                    }

                    offset += i * strides[d++];
                    break;
                default:
                    var (start, count) = SliceBounds(index, x.Shape.Dims[d]);
                    dims.Add(count);
                    outStrides.Add(index.Step * strides[d]);
                    offset += count > 0 ? start * strides[d] : 0;
                    d++;
                    break;
            }
        }

        while (d < x.Rank)
        {
            Full(d++);
        }

        var dimArray = dims.ToArray();
        var strideArray = outStrides.ToArray();
        var r = StridedView(x, offset, dimArray, strideArray);
        var shape = x.Shape;
        Record(r, x, g => StridedScatterOp(g, shape, offset, dimArray, strideArray));
        return r;
    }

    /// <summary>The gradient of a strided read, itself recorded (its gradient is the read again).</summary>
    private static Tensor StridedScatterOp(Tensor g, TensorShape shape, int offset, int[] dims, int[] strides)
    {
        var r = StridedScatter(g, shape, offset, dims, strides);
        Record(r, g, gg => StridedView(gg, offset, dims, strides));
        return r;
    }

    /// <summary>CPython's slice.indices: the first position and the element count.</summary>
    private static (int Start, int Count) SliceBounds(TensorIndex index, int n)
    {
        int step = index.Step;
        int start, stop;
        if (step > 0)
        {
            start = Clamp(index.Start ?? 0, n, 0, n);
            stop = Clamp(index.Stop ?? n, n, 0, n);
            return (start, stop > start ? ((stop - start - 1) / step) + 1 : 0);
        }

        start = index.Start is { } s ? Clamp(s, n, -1, n - 1) : n - 1;
        stop = index.Stop is { } e ? Clamp(e, n, -1, n - 1) : -1;
        return (start, start > stop ? ((start - stop - 1) / -step) + 1 : 0);
    }

    private static int Clamp(int value, int n, int low, int high)
    {
        long v = value < 0 ? (long)value + n : value;
        return (int)Math.Clamp(v, low, high);
    }
}
