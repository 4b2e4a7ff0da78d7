using System.Numerics;
using System.Numerics.Tensors;

namespace DistTrain.Kernels.Tensors;

/// <summary>Element-wise functions of one tensor (TensorPrimitives' SIMD kernels) and their gradients.</summary>
public partial class Tensor
{
    private delegate void SpanOp<T>(ReadOnlySpan<T> x, Span<T> d);

    /// <summary><c>−x</c>.</summary>
    public static Tensor Negative(Tensor x)
    {
        var r = MapNumber(x, "Negative", static (s, d) => TensorPrimitives.Negate(s, d), static (s, d) => TensorPrimitives.Negate(s, d), static (s, d) => TensorPrimitives.Negate(s, d), static (s, d) => TensorPrimitives.Negate(s, d));
        Record(r, x, g => Negative(g));
        return r;
    }

    /// <summary><c>|x|</c>; the gradient is <c>sign(x)</c> (0 at 0).</summary>
    public static Tensor Abs(Tensor x)
    {
        var r = MapNumber(x, "Abs", static (s, d) => TensorPrimitives.Abs(s, d), static (s, d) => TensorPrimitives.Abs(s, d), static (s, d) => TensorPrimitives.Abs(s, d), static (s, d) => TensorPrimitives.Abs(s, d));
        Record(r, x, g => g * Sign(x));
        return r;
    }

    /// <summary>−1, 0 or 1 by the sign of each element.</summary>
    public static Tensor Sign(Tensor x) => MapNumber(x, "Sign", SignOf, SignOf, SignOf, SignOf);

    /// <summary><c>√x</c>.</summary>
    public static Tensor Sqrt(Tensor x)
    {
        var r = MapFloat(x, "Sqrt", static (s, d) => TensorPrimitives.Sqrt(s, d), static (s, d) => TensorPrimitives.Sqrt(s, d));
        Record(r, x, g => g / (2 * r));
        return r;
    }

    /// <summary><c>x²</c>.</summary>
    public static Tensor Square(Tensor x)
    {
        var r = MapNumber(x, "Square", static (s, d) => TensorPrimitives.Multiply(s, s, d), static (s, d) => TensorPrimitives.Multiply(s, s, d), static (s, d) => TensorPrimitives.Multiply(s, s, d), static (s, d) => TensorPrimitives.Multiply(s, s, d));
        Record(r, x, g => g * 2 * x);
        return r;
    }

    /// <summary><c>eˣ</c>.</summary>
    public static Tensor Exp(Tensor x)
    {
        var r = MapFloat(x, "Exp", static (s, d) => TensorPrimitives.Exp(s, d), static (s, d) => TensorPrimitives.Exp(s, d));
        Record(r, x, g => g * r);
        return r;
    }

    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor x)
    {
        var r = MapFloat(x, "Log", static (s, d) => TensorPrimitives.Log(s, d), static (s, d) => TensorPrimitives.Log(s, d));
        Record(r, x, g => g / x);
        return r;
    }

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x)
    {
        var r = MapFloat(x, "Tanh", static (s, d) => TensorPrimitives.Tanh(s, d), static (s, d) => TensorPrimitives.Tanh(s, d));
        Record(r, x, g => g * (1 - r * r));
        return r;
    }

    /// <summary>Logistic sigmoid <c>1/(1+e^−x)</c>.</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        var r = MapFloat(x, "Sigmoid", static (s, d) => TensorPrimitives.Sigmoid(s, d), static (s, d) => TensorPrimitives.Sigmoid(s, d));
        Record(r, x, g => g * r * (1 - r));
        return r;
    }

    /// <summary><c>max(x, 0)</c>; the gradient at 0 is 0, as in TF.</summary>
    public static Tensor Relu(Tensor x)
    {
        var r = MapNumber(x, "Relu", static (s, d) => TensorPrimitives.Max(s, 0f, d), static (s, d) => TensorPrimitives.Max(s, 0.0, d), static (s, d) => TensorPrimitives.Max(s, 0, d), static (s, d) => TensorPrimitives.Max(s, 0L, d));
        Record(r, x, g => g * Cast(Greater(x, 0), g.DType));
        return r;
    }

    /// <summary><c>x</c> where x &gt; 0, else <c>alpha·x</c> (Keras default alpha 0.3; TF's nn default 0.2).</summary>
    public static Tensor LeakyRelu(Tensor x, double alpha = 0.2)
    {
        var positive = Cast(Greater(x, 0), x.DType);
        return x * (positive + (1 - positive) * CastNoTape(Scalar(alpha), x.DType));
    }

    /// <summary>Softmax along <paramref name="axis"/> (default the last): <c>e^{x−max}/Σ e^{x−max}</c>.</summary>
    public static Tensor Softmax(Tensor x, int axis = -1)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank);
        if (a != x.Rank - 1)
        {
            var perm = Enumerable.Range(0, x.Rank).ToArray();
            (perm[a], perm[^1]) = (perm[^1], perm[a]);
            return Transpose(Softmax(Transpose(x, perm), -1), perm);
        }

        int cols = x.Shape[-1];
        Tensor r = x.DType switch
        {
            DType.Float32 => SoftmaxRows<float>(x, cols),
            DType.Float64 => SoftmaxRows<double>(x, cols),
            _ => throw new ArgumentException($"Softmax needs a float tensor, not {x.DType.Name()}."),
        };
        Record(r, x, g => r * (g - ReduceSum(g * r, [-1], keepDims: true)));
        return r;
    }

    /// <summary><c>log(softmax(x))</c> along the last axis, computed stably as <c>x − max − log Σ e^{x−max}</c>.</summary>
    public static Tensor LogSoftmax(Tensor x)
    {
        var shifted = x - StopGradient(ReduceMax(x, [-1], keepDims: true));
        return shifted - Log(ReduceSum(Exp(shifted), [-1], keepDims: true));
    }

    /// <summary>The same values with no gradient through them (<c>tf.stop_gradient</c>).</summary>
    public static Tensor StopGradient(Tensor x) => new(x.Data, x.Shape, x.DType, x.Device);

    /// <summary>An element-wise function of the value, with no gradient (the helpers above build theirs).</summary>
    private static Tensor SoftmaxRows<T>(Tensor x, int cols)
        where T : unmanaged, IExponentialFunctions<T>, IFloatingPointIeee754<T>
    {
        var s = x.Values<T>();
        var d = new T[s.Length];
        for (int start = 0; start < s.Length && cols > 0; start += cols)
        {
            var row = s.AsSpan(start, cols);
            var output = d.AsSpan(start, cols);
            T max = TensorPrimitives.Max<T>(row);
            TensorPrimitives.Subtract(row, max, output);
            TensorPrimitives.Exp<T>(output, output);
            T sum = TensorPrimitives.Sum<T>(output);
            TensorPrimitives.Divide(output, sum, output);
        }

        return Wrap(d, x.Shape);
    }

    private static void SignOf<T>(ReadOnlySpan<T> s, Span<T> d)
        where T : INumber<T>
    {
        for (int i = 0; i < s.Length; i++)
        {
            d[i] = T.IsZero(s[i]) || T.IsNaN(s[i]) ? s[i] : T.IsNegative(s[i]) ? -T.One : T.One;
        }
    }

    private static Tensor MapFloat(Tensor x, string op, SpanOp<float> f32, SpanOp<double> f64)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType switch
        {
            DType.Float32 => MapCore(x, f32),
            DType.Float64 => MapCore(x, f64),
            _ => throw new ArgumentException($"{op} needs a float32 or float64 tensor, not {x.DType.Name()} (Cast it first)."),
        };
    }

    private static Tensor MapNumber(Tensor x, string op, SpanOp<float> f32, SpanOp<double> f64, SpanOp<int> i32, SpanOp<long> i64)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.DType switch
        {
            DType.Float32 => MapCore(x, f32),
            DType.Float64 => MapCore(x, f64),
            DType.Int32 => MapCore(x, i32),
            DType.Int64 => MapCore(x, i64),
            _ => throw new ArgumentException($"{op} is not defined for {x.DType.Name()} tensors."),
        };
    }

    private static Tensor MapCore<T>(Tensor x, SpanOp<T> op)
    {
        var d = new T[x.Size];
        op(x.Values<T>(), d);
        return Wrap(d, x.Shape);
    }
}
