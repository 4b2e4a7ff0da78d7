using System.Numerics;
using System.Numerics.Tensors;

namespace DistTrain.Kernels.Tensors;

/// <summary>Index-driven selection: <c>Gather</c>, <c>GatherNd</c>, <c>ScatterNd</c>, <c>BooleanMask</c>, <c>Where</c>, with gradients.</summary>
public partial class Tensor
{
    /// <summary>
    /// Slices of <paramref name="params"/> along <paramref name="axis"/> at <paramref name="indices"/>: the
    /// result has shape <c>params.shape[:axis] + indices.shape + params.shape[axis+1:]</c>. Out-of-range
    /// indices are an error (TF on CPU). The gradient sums into the gathered rows (dense, not IndexedSlices).
    /// </summary>
    public static Tensor Gather(Tensor @params, Tensor indices, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(@params);
        int a = TensorShape.NormalizeAxis(axis, @params.Rank);
        var idx = IndexValues(indices, "Gather");
        int n = @params.Shape.Dims[a];
        int outer = @params.Shape.Dims[..a].ToArray().Aggregate(1, (p, d) => p * d);
        int inner = @params.Shape.Dims[(a + 1)..].ToArray().Aggregate(1, (p, d) => p * d);
        CheckIndices(idx, n, "Gather", @params.Shape, a);
        var shape = new TensorShape([.. @params.Shape.Dims[..a], .. indices.Shape.Dims, .. @params.Shape.Dims[(a + 1)..]]);
        var data = @params.DType.NewArray(shape.Size);
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < idx.Length; j++)
            {
                System.Array.Copy(@params.Data, ((o * n) + idx[j]) * inner, data, ((o * idx.Length) + j) * inner, inner);
            }
        }

        var r = new Tensor(data, shape, @params.DType);
        Record(r, @params, g => GatherGradient(g, idx, indices, @params.Shape, a, outer, inner));
        return r;
    }

    /// <summary>
    /// Slices of <paramref name="params"/> at the index tuples in the last dimension of
    /// <paramref name="indices"/>: result shape <c>indices.shape[:-1] + params.shape[q:]</c> with q = indices.shape[-1].
    /// </summary>
    public static Tensor GatherNd(Tensor @params, Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(@params);
        var (offsets, chunk, outShape) = NdOffsets(indices, @params.Shape, "GatherNd");
        var data = @params.DType.NewArray(outShape.Size);
        for (int i = 0; i < offsets.Length; i++)
        {
            System.Array.Copy(@params.Data, offsets[i], data, i * chunk, chunk);
        }

        var r = new Tensor(data, outShape, @params.DType);
        Record(r, @params, g => ScatterNd(indices, g, @params.Shape));
        return r;
    }

    /// <summary>
    /// Zeros of <paramref name="shape"/> with <paramref name="updates"/> added at the index tuples of
    /// <paramref name="indices"/> (duplicates are summed, as in TF). updates: <c>indices.shape[:-1] + shape[q:]</c>.
    /// </summary>
    public static Tensor ScatterNd(Tensor indices, Tensor updates, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var (offsets, chunk, expected) = NdOffsets(indices, shape, "ScatterNd");
        if (updates.Shape != expected)
        {
            throw new ArgumentException($"ScatterNd: updates have shape {updates.Shape}; indices {indices.Shape} into {shape} need {expected}.");
        }

        var r = updates.DType switch
        {
            DType.Float32 => ScatterAdd<float>(updates, offsets, chunk, shape),
            DType.Float64 => ScatterAdd<double>(updates, offsets, chunk, shape),
            DType.Int32 => ScatterAdd<int>(updates, offsets, chunk, shape),
            DType.Int64 => ScatterAdd<long>(updates, offsets, chunk, shape),
            _ => throw new ArgumentException("ScatterNd does not add bool updates."),
        };
        Record(r, updates, g => GatherNd(g, indices));
        return r;
    }

    /// <summary>The elements (or sub-tensors) of <paramref name="tensor"/> where the bool <paramref name="mask"/> (shape <c>tensor.shape[:k]</c>) is true, flattened into the first dimension.</summary>
    public static Tensor BooleanMask(Tensor tensor, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.DType != DType.Bool || mask.Rank == 0 || mask.Rank > tensor.Rank || !mask.Shape.Dims.SequenceEqual(tensor.Shape.Dims[..mask.Rank]))
        {
            throw new ArgumentException($"BooleanMask needs a bool mask whose shape {mask.Shape} starts the tensor's shape {tensor.Shape}.");
        }

        return GatherNd(tensor, Where(mask));
    }

    /// <summary>The coordinates of the true (non-zero) elements, int64 of shape (count, rank), in row-major order.</summary>
    public static Tensor Where(Tensor condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var c = CastNoTape(condition, DType.Bool).Values<bool>();
        var strides = condition.Shape.Strides();
        var coords = new List<long>();
        int rows = 0;
        for (int i = 0; i < c.Length; i++)
        {
            if (!c[i])
            {
                continue;
            }

            rows++;
            for (int d = 0; d < condition.Rank; d++)
            {
                coords.Add(i / strides[d] % condition.Shape.Dims[d]);
            }
        }

        return Wrap(coords.ToArray(), new TensorShape(rows, condition.Rank));
    }

    /// <summary>Element-wise select (<c>tf.where(c, x, y)</c>): x where the condition holds, else y; all three broadcast.</summary>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(condition);
        Unify(ref x, ref y, "Where");
        var shape = Strided.BroadcastShape(Strided.BroadcastShape(condition.Shape, x.Shape, "Where"), y.Shape, "Where");
        var c = Expand(CastNoTape(condition, DType.Bool), shape).Values<bool>();
        var xs = Expand(x, shape).Data;
        var data = (Array)Expand(y, shape).Data.Clone();
        for (int i = 0; i < c.Length; i++)
        {
            if (c[i])
            {
                System.Array.Copy(xs, i, data, i, 1);
            }
        }

        var r = new Tensor(data, shape, x.DType);
        Record(r, x, y, (g, n) =>
        [
            n[0] ? SumToShape(Where(condition, g, ZerosLike(g)), x.Shape) : null,
            n[1] ? SumToShape(Where(condition, ZerosLike(g), g), y.Shape) : null,
        ]);
        return r;
    }

    private static Tensor Expand(Tensor x, TensorShape shape) =>
        x.Shape == shape ? x : StridedView(x, 0, shape.ToArray(), Strided.BroadcastStrides(x.Shape, shape));

    private static Tensor GatherGradient(Tensor g, int[] idx, Tensor indices, TensorShape shape, int axis, int outer, int inner)
    {
        int n = shape.Dims[axis];
        var r = g.DType == DType.Float32 ? GatherGradientCore<float>(g, idx, shape, n, outer, inner) : GatherGradientCore<double>(g, idx, shape, n, outer, inner);
        Record(r, g, gg => Gather(gg, indices, axis));
        return r;
    }

    private static Tensor GatherGradientCore<T>(Tensor g, int[] idx, TensorShape shape, int n, int outer, int inner)
        where T : unmanaged, INumber<T>
    {
        var d = new T[shape.Size];
        var s = g.Values<T>();
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < idx.Length; j++)
            {
                var row = d.AsSpan(((o * n) + idx[j]) * inner, inner);
                TensorPrimitives.Add(row, s.AsSpan(((o * idx.Length) + j) * inner, inner), row);
            }
        }

        return Wrap(d, shape);
    }

    private static Tensor ScatterAdd<T>(Tensor updates, int[] offsets, int chunk, TensorShape shape)
        where T : unmanaged, INumber<T>
    {
        var d = new T[shape.Size];
        var u = updates.Values<T>();
        for (int i = 0; i < offsets.Length; i++)
        {
            var row = d.AsSpan(offsets[i], chunk);
            TensorPrimitives.Add(row, u.AsSpan(i * chunk, chunk), row);
        }

        return Wrap(d, shape);
    }

    /// <summary>For each index tuple, its flat offset into <paramref name="shape"/>, the slice length, and the gathered shape.</summary>
    private static (int[] Offsets, int Chunk, TensorShape Shape) NdOffsets(Tensor indices, TensorShape shape, string op)
    {
        var idx = IndexValues(indices, op);
        if (indices.Rank == 0 || indices.Shape[-1] > shape.Rank)
        {
            throw new ArgumentException($"{op}: indices of shape {indices.Shape} do not index into shape {shape} (the last dimension is the index depth, at most {shape.Rank}).");
        }

        int q = indices.Shape[-1];
        var strides = shape.Strides();
        int chunk = shape.Dims[q..].ToArray().Aggregate(1, (p, d) => p * d);
        int count = q == 0 ? indices.Size : idx.Length / q;
        var offsets = new int[count];
        for (int i = 0; i < count; i++)
        {
            int off = 0;
            for (int d = 0; d < q; d++)
            {
                int v = idx[(i * q) + d];
                if (v < 0 || v >= shape.Dims[d])
                {
                    throw new IndexOutOfRangeException($"{op}: index {v} at position {i}, depth {d} is out of range for dimension {d} of size {shape.Dims[d]} (shape {shape}).");
                }

                off += v * strides[d];
            }

            offsets[i] = off;
        }

        return (offsets, chunk, new TensorShape([.. indices.Shape.Dims[..^1], .. shape.Dims[q..]]));
    }

    private static void CheckIndices(int[] idx, int n, string op, TensorShape shape, int axis)
    {
        foreach (var i in idx)
        {
            if (i < 0 || i >= n)
            {
                throw new IndexOutOfRangeException($"{op}: index {i} is out of range for axis {axis} of size {n} (shape {shape}).");
            }
        }
    }
}
