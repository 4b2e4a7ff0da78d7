using System.Numerics;

namespace DistTrain.Kernels.Tensors;

/// <summary>Creation helpers (<c>Zeros</c>, <c>Range</c>, <c>Linspace</c>, <c>OneHot</c>, …) and <c>Cast</c>.</summary>
public partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(TensorShape shape, DType dtype = DType.Float32) => new(dtype.NewArray(shape.Size), shape, dtype);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(TensorShape shape, DType dtype = DType.Float32) => Fill(shape, CastNoTape(Scalar(1), dtype));

    /// <summary>A tensor of <paramref name="shape"/> with every element <paramref name="value"/> (a scalar; its dtype is the result's).</summary>
    public static Tensor Fill(TensorShape shape, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Size != 1)
        {
            throw new ArgumentException($"Fill needs a scalar value, not shape {value.Shape}.", nameof(value));
        }

        var data = value.DType.NewArray(shape.Size);
        var one = value.Data.GetValue(0);
        switch (data)
        {
            case float[] f: f.AsSpan().Fill((float)one!); break;
            case double[] f: f.AsSpan().Fill((double)one!); break;
            case int[] f: f.AsSpan().Fill((int)one!); break;
            case long[] f: f.AsSpan().Fill((long)one!); break;
            case bool[] f: f.AsSpan().Fill((bool)one!); break;
        }

        return new Tensor(data, shape, value.DType);
    }

    /// <summary>Zeros of <paramref name="x"/>'s shape and dtype.</summary>
    public static Tensor ZerosLike(Tensor x) => Zeros(x.Shape, x.DType);

    /// <summary>Ones of <paramref name="x"/>'s shape and dtype.</summary>
    public static Tensor OnesLike(Tensor x) => Ones(x.Shape, x.DType);

    /// <summary>The n×n identity matrix.</summary>
    public static Tensor Eye(int n, DType dtype = DType.Float32)
    {
        var result = Zeros(new TensorShape(n, n), DType.Float64);
        var d = result.Values<double>();
        for (int i = 0; i < n; i++)
        {
            d[i * n + i] = 1;
        }

        return CastNoTape(result, dtype);
    }

    /// <summary><c>[0, limit)</c> in steps of 1, int32 (<c>tf.range(limit)</c>).</summary>
    public static Tensor Range(int limit) => Range(0, limit, 1);

    /// <summary><c>[start, limit)</c> in steps of <paramref name="delta"/> (negative steps count down), int32.</summary>
    public static Tensor Range(int start, int limit, int delta = 1)
    {
        if (delta == 0)
        {
            throw new ArgumentException("Range needs a non-zero delta.", nameof(delta));
        }

        int count = Math.Max(0, (int)Math.Ceiling((limit - (double)start) / delta));
        return Generate(new TensorShape(count), i => start + (i * delta));
    }

    /// <summary><c>[start, limit)</c> in float steps, of <paramref name="dtype"/> (float32 by default, as TF infers from float arguments).</summary>
    public static Tensor Range(double start, double limit, double delta, DType dtype = DType.Float32)
    {
        if (delta == 0)
        {
            throw new ArgumentException("Range needs a non-zero delta.", nameof(delta));
        }

        int count = Math.Max(0, (int)Math.Ceiling((limit - start) / delta));
        return CastNoTape(Generate(new TensorShape(count), i => start + (i * delta)), dtype);
    }

    /// <summary><paramref name="num"/> evenly spaced values from start to stop, both included (float32).</summary>
    public static Tensor Linspace(double start, double stop, int num, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(num);
        double step = num > 1 ? (stop - start) / (num - 1) : 0;
        return CastNoTape(Generate(new TensorShape(num), i => i == num - 1 && num > 1 ? stop : start + (i * step)), dtype);
    }

    /// <summary>
    /// Coordinate grids of two rank-1 tensors (<c>tf.meshgrid</c>): with the default "xy" indexing both
    /// results have shape (len(y), len(x)); with "ij" they have shape (len(x), len(y)).
    /// </summary>
    public static (Tensor X, Tensor Y) Meshgrid(Tensor x, Tensor y, string indexing = "xy")
    {
        if (x.Rank != 1 || y.Rank != 1)
        {
            throw new ArgumentException($"Meshgrid takes rank-1 tensors, not shapes {x.Shape} and {y.Shape}.");
        }

        bool xy = indexing switch
        {
            "xy" => true,
            "ij" => false,
            _ => throw new ArgumentException($"Meshgrid indexing is \"xy\" or \"ij\", not \"{indexing}\".", nameof(indexing)),
        };
        int nx = x.Size, ny = y.Size;
        return xy
            ? (BroadcastTo(Reshape(x, [1, nx]), [ny, nx]), BroadcastTo(Reshape(y, [ny, 1]), [ny, nx]))
            : (BroadcastTo(Reshape(x, [nx, 1]), [nx, ny]), BroadcastTo(Reshape(y, [1, ny]), [nx, ny]));
    }

    /// <summary>
    /// One-hot encoding of integer <paramref name="indices"/>: a new axis of size <paramref name="depth"/> at
    /// <paramref name="axis"/> (default last) holding <paramref name="onValue"/> at the index and
    /// <paramref name="offValue"/> elsewhere; out-of-range indices give an all-off row, as in TF.
    /// </summary>
    public static Tensor OneHot(Tensor indices, int depth, double onValue = 1, double offValue = 0, int axis = -1, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        var idx = IndexValues(indices, "OneHot");
        var data = new double[idx.Length * depth];
        data.AsSpan().Fill(offValue);
        for (int i = 0; i < idx.Length; i++)
        {
            if (idx[i] >= 0 && idx[i] < depth)
            {
                data[(i * depth) + idx[i]] = onValue;
            }
        }

        var dims = indices.Shape.ToArray().Append(depth).ToArray();
        var last = CastNoTape(Wrap(data, new TensorShape(dims)), dtype);
        int a = axis == -1 ? indices.Rank : TensorShape.NormalizeAxis(axis, indices.Rank + 1);
        if (a == indices.Rank)
        {
            return last;
        }

        var perm = new List<int>(Enumerable.Range(0, indices.Rank));
        perm.Insert(a, indices.Rank);
        return Transpose(last, perm.ToArray());
    }

    /// <summary>
    /// Converts to <paramref name="dtype"/>: float to integer truncates towards zero (TF), numbers to
    /// bool test for non-zero, bool to numbers gives 0/1. Float-to-float casts pass gradients.
    /// </summary>
    public static Tensor Cast(Tensor x, DType dtype)
    {
        var r = CastNoTape(x, dtype);
        if (x.DType.IsFloating() && dtype.IsFloating() && x.DType != dtype)
        {
            var from = x.DType;
            Record(r, x, g => Cast(g, from));
        }

        return r;
    }

    /// <summary>This tensor converted to <paramref name="dtype"/> (<see cref="Cast(Tensor, DType)"/>).</summary>
    public Tensor Cast(DType dtype) => Cast(this, dtype);

    internal static Tensor CastNoTape(Tensor x, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.DType == dtype)
        {
            return x;
        }

        if (x.DType == DType.Bool)
        {
            var b = x.Values<bool>();
            return CastNoTape(Generate(x.Shape, i => b[i] ? 1 : 0), dtype);
        }

        return x.DType switch
        {
            DType.Float32 => CastFrom<float>(x, dtype),
            DType.Float64 => CastFrom<double>(x, dtype),
            DType.Int32 => CastFrom<int>(x, dtype),
            _ => CastFrom<long>(x, dtype),
        };
    }

    private static Tensor CastFrom<TFrom>(Tensor x, DType dtype)
        where TFrom : INumber<TFrom>
    {
        var s = x.Values<TFrom>();
        return dtype switch
        {
            DType.Float32 => CastTo<TFrom, float>(s, x.Shape),
            DType.Float64 => CastTo<TFrom, double>(s, x.Shape),
            DType.Int32 => CastTo<TFrom, int>(s, x.Shape),
            DType.Int64 => CastTo<TFrom, long>(s, x.Shape),
            _ => Generate(x.Shape, i => !TFrom.IsZero(s[i])),
        };
    }

    private static Tensor CastTo<TFrom, TTo>(TFrom[] s, TensorShape shape)
        where TFrom : INumber<TFrom>
        where TTo : INumber<TTo>
    {
        var d = new TTo[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            // CreateTruncating: towards zero for float → int, saturating out of range.
            d[i] = TTo.CreateTruncating(s[i]);
        }

        return Wrap(d, shape);
    }

    /// <summary>The values of an integer index tensor as ints.</summary>
    internal static int[] IndexValues(Tensor indices, string op)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return indices.DType switch
        {
            DType.Int32 => indices.Values<int>(),
            DType.Int64 => CastNoTape(indices, DType.Int32).Values<int>(),
            _ => throw new ArgumentException($"{op} needs int32 or int64 indices, not {indices.DType.Name()}."),
        };
    }
}
