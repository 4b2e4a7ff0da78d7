using System.Numerics;
using System.Numerics.Tensors;

namespace DistTrain.Kernels.Tensors;

/// <summary>Reductions (<c>ReduceSum/Mean/Min/Max</c>, <c>ArgMax/ArgMin</c>, <c>Norm</c>) over axes, with keepdims.</summary>
public partial class Tensor
{
    private enum Reduction
    {
        Sum,
        Max,
        Min,
    }

    /// <summary>Sum over <paramref name="axes"/> (all when null).</summary>
    public static Tensor ReduceSum(Tensor x, int[]? axes = null, bool keepDims = false)
    {
        var (r, keep) = Reduce(x, axes, keepDims, Reduction.Sum);
        Record(r, x, g => BroadcastTo(Reshape(g, keep), x.Shape));
        return r;
    }

    /// <summary>Sum over one axis.</summary>
    public static Tensor ReduceSum(Tensor x, int axis, bool keepDims = false) => ReduceSum(x, [axis], keepDims);

    /// <summary>Mean over <paramref name="axes"/> (all when null); integer means truncate, as in TF.</summary>
    public static Tensor ReduceMean(Tensor x, int[]? axes = null, bool keepDims = false)
    {
        var sum = ReduceSum(x, axes, keepDims);
        int count = sum.Size == 0 ? 0 : x.Size / Math.Max(sum.Size, 1);
        return sum / CastNoTape(Scalar(count), x.DType);
    }

    /// <summary>Mean over one axis.</summary>
    public static Tensor ReduceMean(Tensor x, int axis, bool keepDims = false) => ReduceMean(x, [axis], keepDims);

    /// <summary>Maximum over <paramref name="axes"/>; the gradient is shared equally by tied maxima (TF).</summary>
    public static Tensor ReduceMax(Tensor x, int[]? axes = null, bool keepDims = false) => ReduceExtreme(x, axes, keepDims, Reduction.Max);

    /// <summary>Maximum over one axis.</summary>
    public static Tensor ReduceMax(Tensor x, int axis, bool keepDims = false) => ReduceMax(x, [axis], keepDims);

    /// <summary>Minimum over <paramref name="axes"/>.</summary>
    public static Tensor ReduceMin(Tensor x, int[]? axes = null, bool keepDims = false) => ReduceExtreme(x, axes, keepDims, Reduction.Min);

    /// <summary>Minimum over one axis.</summary>
    public static Tensor ReduceMin(Tensor x, int axis, bool keepDims = false) => ReduceMin(x, [axis], keepDims);

    /// <summary>
    /// Vector norm (<c>tf.norm</c>) of order 1, 2 (Euclidean, the default) or ∞
    /// (<see cref="double.PositiveInfinity"/>) over <paramref name="axes"/>; with no axes the tensor is
    /// flattened (so a matrix gets its Frobenius norm for ord 2).
    /// </summary>
    public static Tensor Norm(Tensor x, double ord = 2, int[]? axes = null, bool keepDims = false) => ord switch
    {
        1 => ReduceSum(Abs(x), axes, keepDims),
        2 => Sqrt(ReduceSum(Square(x), axes, keepDims)),
        double.PositiveInfinity => ReduceMax(Abs(x), axes, keepDims),
        _ => throw new ArgumentException($"Norm supports ord 1, 2 and infinity, not {ord}.", nameof(ord)),
    };

    /// <summary>Index of the largest value along <paramref name="axis"/> (first wins ties), int64 as TF returns.</summary>
    public static Tensor ArgMax(Tensor x, int axis = 0) => ArgExtreme(x, axis, max: true);

    /// <summary>Index of the smallest value along <paramref name="axis"/> (first wins ties), int64.</summary>
    public static Tensor ArgMin(Tensor x, int axis = 0) => ArgExtreme(x, axis, max: false);

    private static Tensor ReduceExtreme(Tensor x, int[]? axes, bool keepDims, Reduction kind)
    {
        var (r, keep) = Reduce(x, axes, keepDims, kind);
        Record(r, x, g =>
        {
            var mask = Cast(Equal(x, Reshape(r, keep)), g.DType);
            var ties = ReduceSum(mask, axes, keepDims: true);
            return mask * Reshape(g, keep) / ties;
        });
        return r;
    }

    /// <summary>The reduced tensor and its keepdims shape.</summary>
    private static (Tensor Result, int[] KeepShape) Reduce(Tensor x, int[]? axes, bool keepDims, Reduction kind)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Rank;
        var reduce = new bool[rank];
        if (axes is null)
        {
            Array.Fill(reduce, true);
        }
        else
        {
            foreach (var a in axes)
            {
                reduce[TensorShape.NormalizeAxis(a, rank)] = true;
            }
        }

        var keep = x.Shape.ToArray().Select((d, i) => reduce[i] ? 1 : d).ToArray();
        var outDims = keepDims ? keep : x.Shape.ToArray().Where((_, i) => !reduce[i]).ToArray();

        // Move the reduced axes last (a copy only when they are not already a trailing or inner block).
        var kept = Enumerable.Range(0, rank).Where(i => !reduce[i]).ToArray();
        var gone = Enumerable.Range(0, rank).Where(i => reduce[i]).ToArray();
        int first = gone.Length == 0 ? rank : gone[0];
        bool contiguous = gone.Length == 0 || gone[^1] - first + 1 == gone.Length;
        Tensor source = x;
        int outer, length, inner;
        if (contiguous)
        {
            outer = x.Shape.Dims[..first].ToArray().Aggregate(1, (p, d) => p * d);
            length = gone.Aggregate(1, (p, a) => p * x.Shape.Dims[a]);
            inner = x.Shape.Dims[(first + gone.Length)..].ToArray().Aggregate(1, (p, d) => p * d);
        }
        else
        {
            var perm = kept.Concat(gone).ToArray();
            var strides = x.Shape.Strides();
            source = StridedView(x, 0, perm.Select(a => x.Shape.Dims[a]).ToArray(), perm.Select(a => strides[a]).ToArray());
            outer = kept.Aggregate(1, (p, a) => p * x.Shape.Dims[a]);
            length = gone.Aggregate(1, (p, a) => p * x.Shape.Dims[a]);
            inner = 1;
        }

        var shape = new TensorShape(outDims);
        Tensor result = x.DType switch
        {
            DType.Float32 => ReduceCore<float>(source, outer, length, inner, kind, shape),
            DType.Float64 => ReduceCore<double>(source, outer, length, inner, kind, shape),
            DType.Int32 => ReduceCore<int>(source, outer, length, inner, kind, shape),
            DType.Int64 => ReduceCore<long>(source, outer, length, inner, kind, shape),
            _ => throw new ArgumentException($"{kind} reductions are not defined for bool tensors (Cast to int32 first)."),
        };
        return (result, keep);
    }

    /// <summary>x viewed as (outer, length, inner); reduces the middle axis. Rows are SIMD sums; with inner &gt; 1, rows of inner values are combined vector-wise.</summary>
    private static Tensor ReduceCore<T>(Tensor x, int outer, int length, int inner, Reduction kind, TensorShape shape)
        where T : unmanaged, INumber<T>
    {
        var s = x.Values<T>();
        var d = new T[outer * inner];
        if (length == 0)
        {
            d.AsSpan().Fill(kind switch { Reduction.Sum => T.Zero, Reduction.Max => T.CreateSaturating(double.NegativeInfinity), _ => T.CreateSaturating(double.PositiveInfinity) });
            return Wrap(d, shape);
        }

        for (int o = 0; o < outer; o++)
        {
            int block = o * length * inner;
            if (inner == 1)
            {
                var row = s.AsSpan(block, length);
                d[o] = kind switch
                {
                    Reduction.Sum => TensorPrimitives.Sum<T>(row),
                    Reduction.Max => TensorPrimitives.Max<T>(row),
                    _ => TensorPrimitives.Min<T>(row),
                };
                continue;
            }

            var acc = d.AsSpan(o * inner, inner);
            s.AsSpan(block, inner).CopyTo(acc);
            for (int l = 1; l < length; l++)
            {
                var next = s.AsSpan(block + (l * inner), inner);
                switch (kind)
                {
                    case Reduction.Sum: TensorPrimitives.Add(acc, next, acc); break;
                    case Reduction.Max: TensorPrimitives.Max(acc, next, acc); break;
                    default: TensorPrimitives.Min(acc, next, acc); break;
                }
            }
        }

        return Wrap(d, shape);
    }

    private static Tensor ArgExtreme(Tensor x, int axis, bool max)
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = TensorShape.NormalizeAxis(axis, x.Rank);
        int length = x.Shape.Dims[a];
        if (length == 0)
        {
            throw new ArgumentException($"ArgMax/ArgMin over an empty axis {axis} of shape {x.Shape}.");
        }

        int outer = x.Shape.Dims[..a].ToArray().Aggregate(1, (p, d) => p * d);
        int inner = x.Size / Math.Max(1, outer * length);
        var dims = x.Shape.ToArray().Where((_, i) => i != a).ToArray();
        var values = x.DType == DType.Float32 ? x : CastNoTape(x, DType.Float64);
        var result = new long[outer * inner];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                double bestValue = ValueAt(values, (o * length * inner) + i);
                for (int l = 1; l < length; l++)
                {
                    double v = ValueAt(values, (((o * length) + l) * inner) + i);
                    if (max ? v > bestValue : v < bestValue)
                    {
                        (best, bestValue) = (l, v);
                    }
                }

                result[(o * inner) + i] = best;
            }
        }

        return Wrap(result, new TensorShape(dims));
    }

    private static double ValueAt(Tensor t, int i) => t.DType == DType.Float32 ? t.Values<float>()[i] : t.Values<double>()[i];
}
