namespace DistTrain.Kernels.Tensors;

/// <summary>
/// Strided copies (transpose, slicing, broadcast, tile and pad all reduce to one) and the
/// broadcasting plan of binary operations. Dimensions are merged where the strides allow, so
/// the inner loop runs over the longest contiguous (stride 1) or repeated (stride 0) run.
/// </summary>
internal static class Strided
{
    /// <summary>
    /// <c>dst[i] = src[offset + Σ_d idx_d·strides[d]]</c> for the row-major index <c>i</c> of
    /// <paramref name="dims"/>. Strides may be negative (reversed slices) or 0 (broadcast).
    /// </summary>
    public static void Copy<T>(ReadOnlySpan<T> src, int offset, int[] dims, int[] strides, Span<T> dst)
    {
        var (d, s) = Coalesce(dims, strides);
        int rank = d.Length;
        if (rank == 0)
        {
            if (dst.Length > 0)
            {
                dst[0] = src[offset];
            }

            return;
        }

        int inner = d[rank - 1];
        int innerStride = s[rank - 1];
        int outer = dst.Length / Math.Max(inner, 1);
        if (inner == 0 || dst.Length == 0)
        {
            return;
        }

        var idx = new int[rank];
        int pos = offset;
        for (int o = 0; o < outer; o++)
        {
            var run = dst.Slice(o * inner, inner);
            if (innerStride == 1)
            {
                src.Slice(pos, inner).CopyTo(run);
            }
            else if (innerStride == 0)
            {
                run.Fill(src[pos]);
            }
            else
            {
                int p = pos;
                for (int i = 0; i < inner; i++, p += innerStride)
                {
                    run[i] = src[p];
                }
            }

            // Odometer over the outer dimensions.
            for (int k = rank - 2; k >= 0; k--)
            {
                pos += s[k];
                if (++idx[k] < d[k])
                {
                    break;
                }

                pos -= s[k] * d[k];
                idx[k] = 0;
            }
        }
    }

    /// <summary>The inverse of <see cref="Copy{T}"/> for non-overlapping strides: <c>dst[offset + Σ idx·strides] = src[i]</c>.</summary>
    public static void Scatter<T>(ReadOnlySpan<T> src, Span<T> dst, int offset, int[] dims, int[] strides)
    {
        var (d, s) = Coalesce(dims, strides);
        int rank = d.Length;
        if (src.Length == 0)
        {
            return;
        }

        if (rank == 0)
        {
            dst[offset] = src[0];
            return;
        }

        int inner = d[rank - 1];
        int innerStride = s[rank - 1];
        int outer = src.Length / inner;
        var idx = new int[rank];
        int pos = offset;
        for (int o = 0; o < outer; o++)
        {
            var run = src.Slice(o * inner, inner);
            if (innerStride == 1)
            {
                run.CopyTo(dst.Slice(pos, inner));
            }
            else
            {
                int p = pos;
                for (int i = 0; i < inner; i++, p += innerStride)
                {
                    dst[p] = run[i];
                }
            }

            for (int k = rank - 2; k >= 0; k--)
            {
                pos += s[k];
                if (++idx[k] < d[k])
                {
                    break;
                }

                pos -= s[k] * d[k];
                idx[k] = 0;
            }
        }
    }

    /// <summary>Drops size-1 dimensions and merges neighbours whose strides continue each other.</summary>
    public static (int[] Dims, int[] Strides) Coalesce(int[] dims, int[] strides)
    {
        var d = new List<int>(dims.Length);
        var s = new List<int>(dims.Length);
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == 1)
            {
                continue;
            }

            if (dims[i] == 0)
            {
                return ([0], [0]);
            }

            if (d.Count > 0 && s[^1] == strides[i] * dims[i])
            {
                d[^1] *= dims[i];
                s[^1] = strides[i];
            }
            else
            {
                d.Add(dims[i]);
                s.Add(strides[i]);
            }
        }

        return (d.ToArray(), s.ToArray());
    }

    /// <summary>
    /// TensorFlow's right-aligned broadcast of two shapes, with an error that names both.
    /// </summary>
    public static TensorShape BroadcastShape(TensorShape a, TensorShape b, string op)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.Dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.Dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
            {
                throw new ArgumentException($"{op}: shapes {a} and {b} are incompatible for broadcasting (dimension {i} of the aligned shapes: {da} vs {db}).");
            }

            dims[i] = da == 1 ? db : da;
        }

        return new TensorShape(dims);
    }

    /// <summary>Strides of <paramref name="shape"/> read as <paramref name="target"/> (0 on broadcast dimensions).</summary>
    public static int[] BroadcastStrides(TensorShape shape, TensorShape target)
    {
        var own = shape.Strides();
        var result = new int[target.Rank];
        int lead = target.Rank - shape.Rank;
        for (int i = 0; i < shape.Rank; i++)
        {
            result[lead + i] = shape.Dims[i] == 1 ? 0 : own[i];
        }

        return result;
    }
}

/// <summary>
/// Walks the runs of a two-operand broadcast: each run is <see cref="Inner"/> output elements
/// whose operand strides are 0 or 1, so one SIMD call handles it and neither operand is
/// materialised at the output's shape.
/// </summary>
internal sealed class BroadcastRuns
{
    private readonly int[] _dims;
    private readonly int[] _sa;
    private readonly int[] _sb;

    public BroadcastRuns(TensorShape a, TensorShape b, TensorShape output)
    {
        var dims = output.ToArray();
        var sa = Strided.BroadcastStrides(a, output);
        var sb = Strided.BroadcastStrides(b, output);
        var d = new List<int>();
        var la = new List<int>();
        var lb = new List<int>();
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == 1)
            {
                continue;
            }

            if (d.Count > 0 && la[^1] == sa[i] * dims[i] && lb[^1] == sb[i] * dims[i])
            {
                d[^1] *= dims[i];
                la[^1] = sa[i];
                lb[^1] = sb[i];
            }
            else
            {
                d.Add(dims[i]);
                la.Add(sa[i]);
                lb.Add(sb[i]);
            }
        }

        _dims = d.ToArray();
        _sa = la.ToArray();
        _sb = lb.ToArray();
        Inner = _dims.Length == 0 ? 1 : _dims[^1];
        InnerStrideA = _dims.Length == 0 ? 1 : _sa[^1];
        InnerStrideB = _dims.Length == 0 ? 1 : _sb[^1];
        Count = output.Size == 0 ? 0 : output.Size / Inner;
    }

    /// <summary>Elements per run.</summary>
    public int Inner { get; }

    /// <summary>0 (a repeated) or 1 (a contiguous) within a run.</summary>
    public int InnerStrideA { get; }

    /// <summary>0 (b repeated) or 1 (b contiguous) within a run.</summary>
    public int InnerStrideB { get; }

    /// <summary>Number of runs.</summary>
    public int Count { get; }

    /// <summary>Start offsets of every run in a and b (run r starts at output offset r·Inner).</summary>
    public (int[] A, int[] B) Offsets()
    {
        var oa = new int[Count];
        var ob = new int[Count];
        int rank = _dims.Length;
        var idx = new int[rank];
        int pa = 0, pb = 0;
        for (int r = 0; r < Count; r++)
        {
            oa[r] = pa;
            ob[r] = pb;
            for (int k = rank - 2; k >= 0; k--)
            {
                pa += _sa[k];
                pb += _sb[k];
                if (++idx[k] < _dims[k])
                {
                    break;
                }

                pa -= _sa[k] * _dims[k];
                pb -= _sb[k] * _dims[k];
                idx[k] = 0;
            }
        }

        return (oa, ob);
    }
}
