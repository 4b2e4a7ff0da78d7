namespace DistTrain.Kernels.Tensors;

/// <summary>Shape operations: <c>Reshape</c>, <c>Transpose</c>, <c>ExpandDims</c>, <c>Squeeze</c>, <c>BroadcastTo</c>.</summary>
public partial class Tensor
{
    /// <summary>The same elements in a new shape; one dimension may be −1 (inferred). Shares storage (tensors are immutable).</summary>
    public static Tensor Reshape(Tensor x, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        var dims = (int[])shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0)
                {
                    throw new ArgumentException($"Reshape to ({string.Join(", ", shape)}): only one dimension can be -1.");
                }

                infer = i;
            }
            else if (dims[i] < 0)
            {
                throw new ArgumentException($"Reshape to ({string.Join(", ", shape)}): dimensions are non-negative or -1.");
            }
            else
            {
                known *= dims[i];
            }
        }

        if (infer >= 0)
        {
            if (known == 0 || x.Size % known != 0)
            {
                throw new ArgumentException($"Reshape: cannot reshape a tensor of shape {x.Shape} ({x.Size} elements) to ({string.Join(", ", shape)}).");
            }

            dims[infer] = (int)(x.Size / known);
        }
        else if (known != x.Size)
        {
            throw new ArgumentException($"Reshape: cannot reshape a tensor of shape {x.Shape} ({x.Size} elements) to ({string.Join(", ", shape)}) ({known} elements).");
        }

        var target = new TensorShape(dims);
        if (target == x.Shape)
        {
            return x;
        }

        var r = new Tensor(x.Data, target, x.DType, x.Device);
        var from = x.Shape;
        Record(r, x, g => Reshape(g, from.ToArray()));
        return r;
    }

    /// <summary>Reshape to a <see cref="TensorShape"/>.</summary>
    public static Tensor Reshape(Tensor x, TensorShape shape) => Reshape(x, shape.ToArray());

    /// <summary>This tensor reshaped (<see cref="Reshape(Tensor, int[])"/>).</summary>
    public Tensor Reshape(params int[] shape) => Reshape(this, shape);

    /// <summary>Permutes the dimensions: output dimension i is input dimension <c>perm[i]</c>; without perm, reverses them.</summary>
    public static Tensor Transpose(Tensor x, int[]? perm = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Rank;
        perm ??= Enumerable.Range(0, rank).Reverse().ToArray();
        if (perm.Length != rank || perm.Select(p => TensorShape.NormalizeAxis(p, rank)).Distinct().Count() != rank)
        {
            throw new ArgumentException($"Transpose: perm ({string.Join(", ", perm)}) is not a permutation of the {rank} dimensions of shape {x.Shape}.");
        }

        var p = perm.Select(a => TensorShape.NormalizeAxis(a, rank)).ToArray();
        var strides = x.Shape.Strides();
        var dims = p.Select(a => x.Shape.Dims[a]).ToArray();
        var s = p.Select(a => strides[a]).ToArray();
        var r = StridedView(x, 0, dims, s);
        var inverse = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            inverse[p[i]] = i;
        }

        Record(r, x, g => Transpose(g, inverse));
        return r;
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="axis"/> (−1: at the end).</summary>
    public static Tensor ExpandDims(Tensor x, int axis)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank + 1);
        var dims = x.Shape.ToArray().ToList();
        dims.Insert(a, 1);
        return Reshape(x, dims.ToArray());
    }

    /// <summary>Removes dimensions of size 1: the given axes (each must be 1), or all of them.</summary>
    public static Tensor Squeeze(Tensor x, params int[] axes)
    {
        var drop = new bool[x.Rank];
        if (axes.Length == 0)
        {
            for (int i = 0; i < x.Rank; i++)
            {
                drop[i] = x.Shape.Dims[i] == 1;
            }
        }

        foreach (var axis in axes)
        {
            int a = TensorShape.NormalizeAxis(axis, x.Rank);
            if (x.Shape.Dims[a] != 1)
            {
                throw new ArgumentException($"Squeeze: dimension {axis} of shape {x.Shape} is {x.Shape.Dims[a]}, not 1.");
            }

            drop[a] = true;
        }

        return Reshape(x, x.Shape.ToArray().Where((_, i) => !drop[i]).ToArray());
    }

    /// <summary>Broadcasts <paramref name="x"/> to <paramref name="shape"/> with TF's rules (materialised; the binary ops broadcast without this).</summary>
    public static Tensor BroadcastTo(Tensor x, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        var target = Strided.BroadcastShape(x.Shape, shape, "BroadcastTo");
        if (target != shape)
        {
            throw new ArgumentException($"BroadcastTo: shape {x.Shape} cannot be broadcast to {shape}.");
        }

        if (x.Shape == shape)
        {
            return x;
        }

        var r = StridedView(x, 0, shape.ToArray(), Strided.BroadcastStrides(x.Shape, shape));
        var from = x.Shape;
        Record(r, x, g => SumToShape(g, from));
        return r;
    }

    /// <summary>A new contiguous tensor of <paramref name="dims"/> read from x's storage with the given strides (no tape).</summary>
    internal static Tensor StridedView(Tensor x, int offset, int[] dims, int[] strides)
    {
        var shape = new TensorShape(dims);
        return x.DType switch
        {
            DType.Float32 => StridedCopyOf<float>(x, offset, dims, strides, shape),
            DType.Float64 => StridedCopyOf<double>(x, offset, dims, strides, shape),
            DType.Int32 => StridedCopyOf<int>(x, offset, dims, strides, shape),
            DType.Int64 => StridedCopyOf<long>(x, offset, dims, strides, shape),
            _ => StridedCopyOf<bool>(x, offset, dims, strides, shape),
        };
    }

    /// <summary>Zeros of <paramref name="shape"/> with <paramref name="g"/> written at the strided positions (the gradient of a strided read; no tape).</summary>
    internal static Tensor StridedScatter(Tensor g, TensorShape shape, int offset, int[] dims, int[] strides)
    {
        var result = Zeros(shape, g.DType);
        switch (g.DType)
        {
            case DType.Float32: Strided.Scatter<float>(g.Values<float>(), result.Values<float>(), offset, dims, strides); break;
            case DType.Float64: Strided.Scatter<double>(g.Values<double>(), result.Values<double>(), offset, dims, strides); break;
            default: throw new ArgumentException($"Gradients are float32 or float64, not {g.DType.Name()}.");
        }

        return result;
    }

    private static Tensor StridedCopyOf<T>(Tensor x, int offset, int[] dims, int[] strides, TensorShape shape)
    {
        var d = new T[shape.Size];
        Strided.Copy<T>(x.Values<T>(), offset, dims, strides, d);
        return new Tensor(d, shape, x.DType, x.Device);
    }
}
