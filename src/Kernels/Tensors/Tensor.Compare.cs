using System.Numerics;

namespace DistTrain.Kernels.Tensors;

/// <summary>Broadcasting comparisons and logical operators; they return bool tensors and have no gradient.</summary>
public partial class Tensor
{
    private enum Comparison
    {
        Equal,
        NotEqual,
        Less,
        LessEqual,
        Greater,
        GreaterEqual,
    }

    /// <summary><c>x == y</c> element-wise (NaN is unequal to everything).</summary>
    public static Tensor Equal(Tensor x, Tensor y) => Compare(x, y, Comparison.Equal);

    /// <summary><c>x != y</c> element-wise.</summary>
    public static Tensor NotEqual(Tensor x, Tensor y) => Compare(x, y, Comparison.NotEqual);

    /// <summary><c>x &lt; y</c> element-wise.</summary>
    public static Tensor Less(Tensor x, Tensor y) => Compare(x, y, Comparison.Less);

    /// <summary><c>x ≤ y</c> element-wise.</summary>
    public static Tensor LessEqual(Tensor x, Tensor y) => Compare(x, y, Comparison.LessEqual);

    /// <summary><c>x &gt; y</c> element-wise.</summary>
    public static Tensor Greater(Tensor x, Tensor y) => Compare(x, y, Comparison.Greater);

    /// <summary><c>x ≥ y</c> element-wise.</summary>
    public static Tensor GreaterEqual(Tensor x, Tensor y) => Compare(x, y, Comparison.GreaterEqual);

    /// <summary>Element-wise and of two bool tensors.</summary>
    public static Tensor LogicalAnd(Tensor x, Tensor y) => Equal(Cast(x, DType.Int32) + Cast(y, DType.Int32), 2);

    /// <summary>Element-wise or of two bool tensors.</summary>
    public static Tensor LogicalOr(Tensor x, Tensor y) => Greater(Cast(x, DType.Int32) + Cast(y, DType.Int32), 0);

    /// <summary>Element-wise not of a bool tensor.</summary>
    public static Tensor LogicalNot(Tensor x) => Equal(Cast(x, DType.Int32), 0);

    /// <summary>Element-wise <c>&lt;</c>.</summary>
    public static Tensor operator <(Tensor x, Tensor y) => Less(x, y);

    /// <summary>Element-wise <c>&gt;</c>.</summary>
    public static Tensor operator >(Tensor x, Tensor y) => Greater(x, y);

    /// <summary>Element-wise <c>≤</c>.</summary>
    public static Tensor operator <=(Tensor x, Tensor y) => LessEqual(x, y);

    /// <summary>Element-wise <c>≥</c>.</summary>
    public static Tensor operator >=(Tensor x, Tensor y) => GreaterEqual(x, y);

    private static Tensor Compare(Tensor x, Tensor y, Comparison kind)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        Unify(ref x, ref y, kind.ToString());
        if (x.DType == DType.Bool)
        {
            if (kind is not (Comparison.Equal or Comparison.NotEqual))
            {
                throw new ArgumentException($"{kind} is not defined for bool tensors.");
            }

            return Compare(CastNoTape(x, DType.Int32), CastNoTape(y, DType.Int32), kind);
        }

        var shape = Strided.BroadcastShape(x.Shape, y.Shape, kind.ToString());
        return x.DType switch
        {
            DType.Float32 => CompareCore<float>(x, y, shape, kind),
            DType.Float64 => CompareCore<double>(x, y, shape, kind),
            DType.Int32 => CompareCore<int>(x, y, shape, kind),
            _ => CompareCore<long>(x, y, shape, kind),
        };
    }

    private static Tensor CompareCore<T>(Tensor x, Tensor y, TensorShape shape, Comparison kind)
        where T : INumber<T>
    {
        var a = x.Values<T>();
        var b = y.Values<T>();
        var d = new bool[shape.Size];
        var runs = new BroadcastRuns(x.Shape, y.Shape, shape);
        var (oa, ob) = runs.Offsets();
        int n = runs.Inner, sa = runs.InnerStrideA, sb = runs.InnerStrideB;
        for (int r = 0; r < runs.Count; r++)
        {
            int pa = oa[r], pb = ob[r], o = r * n;
            for (int i = 0; i < n; i++, pa += sa, pb += sb)
            {
                T u = a[pa], v = b[pb];
                d[o + i] = kind switch
                {
                    Comparison.Equal => u == v,
                    Comparison.NotEqual => u != v,
                    Comparison.Less => u < v,
                    Comparison.LessEqual => u <= v,
                    Comparison.Greater => u > v,
                    _ => u >= v,
                };
            }
        }

        return Wrap(d, shape);
    }
}
