using System.Numerics;

namespace DistTrain.Kernels.Tensors;

/// <summary>Broadcasting element-wise arithmetic (<c>+ - * / // % Pow Maximum Minimum</c>) and their gradients.</summary>
public partial class Tensor
{
    /// <summary><c>x + y</c>, broadcasting.</summary>
    public static Tensor Add(Tensor x, Tensor y)
    {
        var r = Binary<AddOp>(ref x, ref y, "Add");
        Record(r, x, y, (g, n) => [n[0] ? SumToShape(g, x.Shape) : null, n[1] ? SumToShape(g, y.Shape) : null]);
        return r;
    }

    /// <summary><c>x − y</c>, broadcasting.</summary>
    public static Tensor Subtract(Tensor x, Tensor y)
    {
        var r = Binary<SubtractOp>(ref x, ref y, "Subtract");
        Record(r, x, y, (g, n) => [n[0] ? SumToShape(g, x.Shape) : null, n[1] ? SumToShape(Negative(g), y.Shape) : null]);
        return r;
    }

    /// <summary><c>x · y</c> element-wise, broadcasting.</summary>
    public static Tensor Multiply(Tensor x, Tensor y)
    {
        var r = Binary<MultiplyOp>(ref x, ref y, "Multiply");
        Record(r, x, y, (g, n) => [n[0] ? SumToShape(g * y, x.Shape) : null, n[1] ? SumToShape(g * x, y.Shape) : null]);
        return r;
    }

    /// <summary><c>x / y</c>, broadcasting; integer division truncates towards zero (TF's <c>truncatediv</c>; use <see cref="FloorDivide"/> for <c>//</c>).</summary>
    public static Tensor Divide(Tensor x, Tensor y)
    {
        var r = Binary<DivideOp>(ref x, ref y, "Divide");
        Record(r, x, y, (g, n) => [n[0] ? SumToShape(g / y, x.Shape) : null, n[1] ? SumToShape(Negative(g) * x / (y * y), y.Shape) : null]);
        return r;
    }

    /// <summary>TensorFlow's <c>//</c>: the quotient rounded towards −∞ (not differentiable).</summary>
    public static Tensor FloorDivide(Tensor x, Tensor y) => Binary<FloorDivideOp>(ref x, ref y, "FloorDivide");

    /// <summary>TensorFlow's <c>%</c> (<c>floormod</c>): the remainder has the divisor's sign (not differentiable here).</summary>
    public static Tensor Mod(Tensor x, Tensor y) => Binary<FloorModOp>(ref x, ref y, "Mod");

    /// <summary><c>x^y</c>, broadcasting. d/dy uses <c>log x</c> where x &gt; 0 and 0 elsewhere, as TF does.</summary>
    public static Tensor Pow(Tensor x, Tensor y)
    {
        var r = Binary<PowOp>(ref x, ref y, "Pow");
        Record(r, x, y, (g, n) =>
        [
            n[0] ? SumToShape(g * y * Pow(x, y - 1), x.Shape) : null,
            n[1] ? SumToShape(g * r * Where(Greater(x, 0), Log(Maximum(x, MinPositive(x.DType))), ZerosLike(x)), y.Shape) : null,
        ]);
        return r;
    }

    /// <summary>Element-wise maximum; the gradient goes to x where x ≥ y (TF's tie rule).</summary>
    public static Tensor Maximum(Tensor x, Tensor y)
    {
        var r = Binary<MaximumOp>(ref x, ref y, "Maximum");
        Record(r, x, y, (g, n) =>
        {
            var toX = Cast(GreaterEqual(x, y), g.DType);
            return [n[0] ? SumToShape(g * toX, x.Shape) : null, n[1] ? SumToShape(g * (1 - toX), y.Shape) : null];
        });
        return r;
    }

    /// <summary>Element-wise minimum; the gradient goes to x where x ≤ y.</summary>
    public static Tensor Minimum(Tensor x, Tensor y)
    {
        var r = Binary<MinimumOp>(ref x, ref y, "Minimum");
        Record(r, x, y, (g, n) =>
        {
            var toX = Cast(LessEqual(x, y), g.DType);
            return [n[0] ? SumToShape(g * toX, x.Shape) : null, n[1] ? SumToShape(g * (1 - toX), y.Shape) : null];
        });
        return r;
    }

    /// <summary>Element-wise sum, broadcasting.</summary>
    public static Tensor operator +(Tensor x, Tensor y) => Add(x, y);

    /// <summary>Element-wise difference, broadcasting.</summary>
    public static Tensor operator -(Tensor x, Tensor y) => Subtract(x, y);

    /// <summary>Element-wise product, broadcasting (use <see cref="MatMul(Tensor, Tensor, bool, bool)"/> for the matrix product).</summary>
    public static Tensor operator *(Tensor x, Tensor y) => Multiply(x, y);

    /// <summary>Element-wise quotient, broadcasting.</summary>
    public static Tensor operator /(Tensor x, Tensor y) => Divide(x, y);

    /// <summary>TensorFlow's <c>%</c>: <see cref="Mod"/>.</summary>
    public static Tensor operator %(Tensor x, Tensor y) => Mod(x, y);

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor x) => Negative(x);

    /// <summary>Reduces a broadcast gradient back to <paramref name="shape"/>: sums the leading and the stretched (size-1) dimensions.</summary>
    internal static Tensor SumToShape(Tensor g, TensorShape shape)
    {
        if (g.Shape == shape)
        {
            return g;
        }

        int lead = g.Rank - shape.Rank;
        var axes = new List<int>();
        for (int i = 0; i < g.Rank; i++)
        {
            if (i < lead || (shape.Dims[i - lead] == 1 && g.Shape.Dims[i] != 1))
            {
                axes.Add(i);
            }
        }

        var summed = axes.Count == 0 ? g : ReduceSum(g, axes.ToArray(), keepDims: true);
        return Reshape(summed, shape);
    }

    private static Tensor MinPositive(DType dtype) => dtype == DType.Float64 ? Scalar(double.Epsilon) : Scalar(float.Epsilon);

    /// <summary>Records a two-input op on the active tapes (nothing when no tape records).</summary>
    internal static void Record(Tensor output, Tensor x, Tensor y, GradientTape.Backward backward)
    {
        if (GradientTape.AnyRecording)
        {
            GradientTape.Record(output, [x, y], backward);
        }
    }

    /// <summary>Records a one-input op whose gradient is a function of the output gradient.</summary>
    internal static void Record(Tensor output, Tensor x, Func<Tensor, Tensor> backward)
    {
        if (GradientTape.AnyRecording)
        {
            GradientTape.Record(output, [x], (g, _) => [backward(g)]);
        }
    }

    /// <summary>Makes the dtypes agree: a weak (literal) scalar takes the other's dtype; otherwise they must match, as in TF.</summary>
    internal static void Unify(ref Tensor x, ref Tensor y, string op)
    {
        if (x.DType == y.DType)
        {
            return;
        }

        if (y.IsWeakScalar)
        {
            y = CastNoTape(y, x.DType);
        }
        else if (x.IsWeakScalar)
        {
            x = CastNoTape(x, y.DType);
        }
        else
        {
            throw new ArgumentException($"{op}: the operands have dtypes {x.DType.Name()} {x.Shape} and {y.DType.Name()} {y.Shape}; TensorFlow does not promote types, so Cast one of them first.");
        }
    }

    private static Tensor Binary<TOp>(ref Tensor x, ref Tensor y, string op)
        where TOp : IBinaryOp
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        Unify(ref x, ref y, op);
        var shape = Strided.BroadcastShape(x.Shape, y.Shape, op);
        return x.DType switch
        {
            DType.Float32 => BinaryCore<float, TOp>(x, y, shape),
            DType.Float64 => BinaryCore<double, TOp>(x, y, shape),
            DType.Int32 => BinaryCore<int, TOp>(x, y, shape),
            DType.Int64 => BinaryCore<long, TOp>(x, y, shape),
            _ => throw new ArgumentException($"{op} is not defined for {x.DType.Name()} tensors."),
        };
    }

    private static Tensor BinaryCore<T, TOp>(Tensor x, Tensor y, TensorShape shape)
        where T : unmanaged, INumber<T>
        where TOp : IBinaryOp
    {
        var a = x.Values<T>();
        var b = y.Values<T>();
        var d = new T[shape.Size];
        if (x.Shape == y.Shape)
        {
            TOp.Apply<T>(a, b, d);
            return Wrap(d, shape);
        }

        var runs = new BroadcastRuns(x.Shape, y.Shape, shape);
        var (oa, ob) = runs.Offsets();
        int n = runs.Inner;
        for (int r = 0; r < runs.Count; r++)
        {
            var dst = d.AsSpan(r * n, n);
            switch (runs.InnerStrideA, runs.InnerStrideB)
            {
                case (1, 1):
                    TOp.Apply<T>(a.AsSpan(oa[r], n), b.AsSpan(ob[r], n), dst);
                    break;
                case (1, 0):
                    TOp.Apply(a.AsSpan(oa[r], n), b[ob[r]], dst);
                    break;
                case (0, 1):
                    TOp.Apply(a[oa[r]], b.AsSpan(ob[r], n), dst);
                    break;
                default:
                    dst.Fill(TOp.Apply(a[oa[r]], b[ob[r]]));
                    break;
            }
        }

        return Wrap(d, shape);
    }
}
