using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DistTrain.Kernels.Tensors;

/// <summary>
/// An element-wise binary operator in the four forms a broadcast run needs: vector∘vector,
/// vector∘scalar, scalar∘vector and scalar∘scalar (the TensorPrimitives operator pattern).
/// </summary>
internal interface IBinaryOp
{
    static abstract T Apply<T>(T x, T y) where T : unmanaged, INumber<T>;

    static abstract void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T>;

    static abstract void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T>;

    static abstract void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T>;
}

/// <summary>Scalar loops for operators TensorPrimitives lacks.</summary>
internal static class Loop
{
    public static void VV<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d)
        where T : unmanaged, INumber<T>
        where TOp : IBinaryOp
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = TOp.Apply(x[i], y[i]);
        }
    }

    public static void VS<T, TOp>(ReadOnlySpan<T> x, T y, Span<T> d)
        where T : unmanaged, INumber<T>
        where TOp : IBinaryOp
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = TOp.Apply(x[i], y);
        }
    }

    public static void SV<T, TOp>(T x, ReadOnlySpan<T> y, Span<T> d)
        where T : unmanaged, INumber<T>
        where TOp : IBinaryOp
    {
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = TOp.Apply(x, y[i]);
        }
    }
}

internal readonly struct AddOp : IBinaryOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, INumber<T> => x + y;

    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(x, y, d);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(x, y, d);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(y, x, d);
}

internal readonly struct SubtractOp : IBinaryOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, INumber<T> => x - y;

    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(x, y, d);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(x, y, d);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(x, y, d);
}

internal readonly struct MultiplyOp : IBinaryOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, INumber<T> => x * y;

    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(x, y, d);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(x, y, d);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(y, x, d);
}

internal readonly struct DivideOp : IBinaryOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, INumber<T> => x / y;

    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        {
            TensorPrimitives.Divide(x, y, d);
        }
        else
        {
            Loop.VV<T, DivideOp>(x, y, d);
        }
    }

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => Loop.VS<T, DivideOp>(x, y, d);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => Loop.SV<T, DivideOp>(x, y, d);
}

/// <summary>TensorFlow's <c>floordiv</c>: the quotient rounded towards −∞.</summary>
internal readonly struct FloorDivideOp : IBinaryOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        {
            return T.CreateTruncating(Math.Floor(double.CreateTruncating(x / y)));
        }

        var q = x / y;
        return q * y != x && (T.IsNegative(x) != T.IsNegative(y)) ? q - T.One : q;
    }

    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => Loop.VV<T, FloorDivideOp>(x, y, d);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => Loop.VS<T, FloorDivideOp>(x, y, d);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => Loop.SV<T, FloorDivideOp>(x, y, d);
}

/// <summary>TensorFlow's <c>floormod</c> (<c>%</c>): the remainder takes the divisor's sign.</summary>
internal readonly struct FloorModOp : IBinaryOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, INumber<T>
    {
        var r = x % y;
        return r != T.Zero && (T.IsNegative(r) != T.IsNegative(y)) ? r + y : r;
    }

    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => Loop.VV<T, FloorModOp>(x, y, d);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => Loop.VS<T, FloorModOp>(x, y, d);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => Loop.SV<T, FloorModOp>(x, y, d);
}

internal readonly struct MaximumOp : IBinaryOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, INumber<T> => T.Max(x, y);

    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Max(x, y, d);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Max(x, y, d);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Max(y, x, d);
}

internal readonly struct MinimumOp : IBinaryOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, INumber<T> => T.Min(x, y);

    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Min(x, y, d);

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Min(x, y, d);

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Min(y, x, d);
}

/// <summary><c>x^y</c>; float types through TensorPrimitives, integers by repeated squaring (a negative exponent is an error, as in TF).</summary>
internal readonly struct PowOp : IBinaryOp
{
    public static T Apply<T>(T x, T y) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float))
        {
            return T.CreateTruncating(MathF.Pow(float.CreateTruncating(x), float.CreateTruncating(y)));
        }

        if (typeof(T) == typeof(double))
        {
            return T.CreateTruncating(Math.Pow(double.CreateTruncating(x), double.CreateTruncating(y)));
        }

        if (T.IsNegative(y))
        {
            throw new ArgumentException("Integers cannot be raised to negative integer powers.");
        }

        T result = T.One, b = x;
        for (long e = long.CreateTruncating(y); e > 0; e >>= 1)
        {
            if ((e & 1) != 0)
            {
                result *= b;
            }

            b *= b;
        }

        return result;
    }

    public static void Apply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float))
        {
            TensorPrimitives.Pow(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y), MemoryMarshal.Cast<T, float>(d));
        }
        else
        {
            Loop.VV<T, PowOp>(x, y, d);
        }
    }

    public static void Apply<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(float) && float.CreateTruncating(y) == 2f)
        {
            TensorPrimitives.Multiply(x, x, d);
        }
        else if (typeof(T) == typeof(float))
        {
            TensorPrimitives.Pow(MemoryMarshal.Cast<T, float>(x), float.CreateTruncating(y), MemoryMarshal.Cast<T, float>(d));
        }
        else
        {
            Loop.VS<T, PowOp>(x, y, d);
        }
    }

    public static void Apply<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => Loop.SV<T, PowOp>(x, y, d);
}
