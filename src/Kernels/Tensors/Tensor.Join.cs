namespace DistTrain.Kernels.Tensors;

/// <summary>Joining and repeating: <c>Concat</c>, <c>Stack</c>, <c>Unstack</c>, <c>Split</c>, <c>Tile</c>, <c>Pad</c>.</summary>
public partial class Tensor
{
    /// <summary>Joins tensors along an existing <paramref name="axis"/>; the other dimensions must agree.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Concat needs at least one tensor.", nameof(tensors));
        }

        var first = tensors[0];
        int a = TensorShape.NormalizeAxis(axis, first.Rank);
        int total = 0;
        foreach (var t in tensors)
        {
            bool same = t.Rank == first.Rank && t.DType == first.DType;
            for (int d = 0; same && d < t.Rank; d++)
            {
                same = d == a || t.Shape.Dims[d] == first.Shape.Dims[d];
            }

            if (!same)
            {
                throw new ArgumentException($"Concat along axis {axis}: shapes {first.Shape} ({first.DType.Name()}) and {t.Shape} ({t.DType.Name()}) differ outside that axis.");
            }

            total += t.Shape.Dims[a];
        }

        var dims = first.Shape.ToArray();
        dims[a] = total;
        var shape = new TensorShape(dims);
        int outer = dims[..a].Aggregate(1, (p, d) => p * d);
        int inner = dims[(a + 1)..].Aggregate(1, (p, d) => p * d);
        var data = first.DType.NewArray(shape.Size);
        int column = 0;
        var starts = new int[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            int width = tensors[i].Shape.Dims[a] * inner;
            starts[i] = column / Math.Max(inner, 1);
            for (int o = 0; o < outer; o++)
            {
                System.Array.Copy(tensors[i].Data, o * width, data, (o * total * inner) + column, width);
            }

            column += width;
        }

        var r = new Tensor(data, shape, first.DType);
        if (GradientTape.AnyRecording)
        {
            var inputs = tensors.ToArray();
            GradientTape.Record(r, inputs, (g, need) =>
                inputs.Select((t, i) => need[i] ? SliceAxis(g, a, starts[i], t.Shape.Dims[a]) : null).ToArray());
        }

        return r;
    }

    /// <summary>Stacks equal-shaped tensors along a new <paramref name="axis"/>.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Stack needs at least one tensor.", nameof(tensors));
        }

        foreach (var t in tensors)
        {
            if (t.Shape != tensors[0].Shape)
            {
                throw new ArgumentException($"Stack needs equal shapes; got {tensors[0].Shape} and {t.Shape}.", nameof(tensors));
            }
        }

        int a = TensorShape.NormalizeAxis(axis, tensors[0].Rank + 1);
        return Concat(tensors.Select(t => ExpandDims(t, a)).ToArray(), a);
    }

    /// <summary>The slices along <paramref name="axis"/>, each without that dimension.</summary>
    public static Tensor[] Unstack(Tensor x, int axis = 0)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank);
        return Enumerable.Range(0, x.Shape.Dims[a]).Select(i =>
        {
            var index = Enumerable.Repeat(TensorIndex.All, x.Rank).ToArray();
            index[a] = i;
            return x[index];
        }).ToArray();
    }

    /// <summary>Splits into <paramref name="count"/> equal parts along <paramref name="axis"/> (the size must divide).</summary>
    public static Tensor[] Split(Tensor x, int count, int axis = 0)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank);
        int n = x.Shape.Dims[a];
        if (count <= 0 || n % count != 0)
        {
            throw new ArgumentException($"Split: dimension {axis} of shape {x.Shape} ({n}) does not divide into {count} equal parts.");
        }

        return Split(x, Enumerable.Repeat(n / count, count).ToArray(), a);
    }

    /// <summary>Splits along <paramref name="axis"/> into parts of the given sizes (one may be −1: the rest).</summary>
    public static Tensor[] Split(Tensor x, int[] sizes, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        int a = TensorShape.NormalizeAxis(axis, x.Rank);
        int n = x.Shape.Dims[a];
        var s = (int[])sizes.Clone();
        int unknown = Array.IndexOf(s, -1);
        int known = s.Where(v => v != -1).Sum();
        if (unknown >= 0)
        {
            s[unknown] = n - known;
        }

        if (s.Any(v => v < 0) || s.Sum() != n || s.Count(v => v == -1) > 1)
        {
            throw new ArgumentException($"Split: sizes ({string.Join(", ", sizes)}) do not add up to dimension {axis} of shape {x.Shape} ({n}).");
        }

        var parts = new Tensor[s.Length];
        for (int i = 0, start = 0; i < s.Length; start += s[i], i++)
        {
            parts[i] = SliceAxis(x, a, start, s[i]);
        }

        return parts;
    }

    /// <summary>Repeats the tensor <c>multiples[d]</c> times along each dimension d.</summary>
    public static Tensor Tile(Tensor x, int[] multiples)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (multiples.Length != x.Rank || multiples.Any(m => m < 0))
        {
            throw new ArgumentException($"Tile: multiples ({string.Join(", ", multiples)}) need one non-negative entry per dimension of shape {x.Shape}.");
        }

        // Read x as (m0, d0, m1, d1, …) with stride 0 on the repeat dimensions.
        var strides = x.Shape.Strides();
        var dims = new int[2 * x.Rank];
        var s = new int[2 * x.Rank];
        for (int d = 0; d < x.Rank; d++)
        {
            (dims[2 * d], dims[(2 * d) + 1]) = (multiples[d], x.Shape.Dims[d]);
            (s[2 * d], s[(2 * d) + 1]) = (0, strides[d]);
        }

        var tiled = StridedView(x, 0, dims, s);
        var outDims = x.Shape.ToArray().Select((v, d) => v * multiples[d]).ToArray();
        var r = new Tensor(tiled.Data, new TensorShape(outDims), x.DType);
        Record(r, x, g => ReduceSum(Reshape(g, dims), Enumerable.Range(0, x.Rank).Select(d => 2 * d).ToArray()));
        return r;
    }

    /// <summary>Pads with <paramref name="constantValue"/>: <c>paddings[d] = (before, after)</c> for each dimension (TF's CONSTANT mode).</summary>
    public static Tensor Pad(Tensor x, (int Before, int After)[] paddings, double constantValue = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (paddings.Length != x.Rank || paddings.Any(p => p.Before < 0 || p.After < 0))
        {
            throw new ArgumentException($"Pad: paddings need one non-negative (before, after) pair per dimension of shape {x.Shape}.");
        }

        var outDims = x.Shape.ToArray().Select((v, d) => v + paddings[d].Before + paddings[d].After).ToArray();
        var shape = new TensorShape(outDims);
        var r = Fill(shape, CastNoTape(Scalar(constantValue), x.DType));
        var strides = shape.Strides();
        int offset = paddings.Select((p, d) => p.Before * strides[d]).Sum();
        var dims = x.Shape.ToArray();
        System.Array data = r.Data;
        switch (data)
        {
            case float[] f: Strided.Scatter<float>(x.Values<float>(), f, offset, dims, strides); break;
            case double[] f: Strided.Scatter<double>(x.Values<double>(), f, offset, dims, strides); break;
            case int[] f: Strided.Scatter<int>(x.Values<int>(), f, offset, dims, strides); break;
            case long[] f: Strided.Scatter<long>(x.Values<long>(), f, offset, dims, strides); break;
            case bool[] f: Strided.Scatter<bool>(x.Values<bool>(), f, offset, dims, strides); break;
        }

        Record(r, x, g => g[paddings.Select((p, d) => TensorIndex.Slice(p.Before, p.Before + dims[d])).ToArray()]);
        return r;
    }
}
