using System.Text.Json.Serialization;

namespace DistTrain.Kernels.Models;

/// <summary>
/// A (height, width) pair for the image layers' window sizes, strides and scales, as Keras takes
/// <c>kernel_size=3</c> or <c>kernel_size=(3, 5)</c>. An <see cref="int"/> converts implicitly to
/// the square pair, so <c>new Conv2DSpec(32, 3)</c> still means a 3×3 kernel. In JSON it is
/// <c>3</c> when square (the form older spec files use) and <c>[3, 5]</c> otherwise
/// (see <see cref="Size2DJsonConverter"/>).
/// </summary>
/// <remarks>
/// <c>default(Size2D)</c> is 1×1, not 0×0: the sides are stored minus one. That lets a record's
/// positional parameter default to a unit stride (<c>Size2D Strides = default</c>, the only
/// constant a struct parameter can have) while an explicit 0 stays 0 and is rejected by the layer.
/// </remarks>
[JsonConverter(typeof(Size2DJsonConverter))]
public readonly struct Size2D : IEquatable<Size2D>
{
    private readonly int _heightMinusOne;
    private readonly int _widthMinusOne;

    /// <summary>Creates the pair; any ints are kept (the layers check that both are positive).</summary>
    public Size2D(int height, int width)
    {
        _heightMinusOne = unchecked(height - 1);
        _widthMinusOne = unchecked(width - 1);
    }

    /// <summary>Along the image rows (Keras' first element).</summary>
    public int Height => unchecked(_heightMinusOne + 1);

    /// <summary>Along the image columns (Keras' second element).</summary>
    public int Width => unchecked(_widthMinusOne + 1);

    /// <summary>True when height and width are equal.</summary>
    public bool IsSquare => _heightMinusOne == _widthMinusOne;

    /// <summary>True when both sides are at least 1.</summary>
    public bool IsPositive => Height > 0 && Width > 0;

    /// <summary>The square pair (<paramref name="side"/>, <paramref name="side"/>).</summary>
    public static implicit operator Size2D(int side) => FromInt32(side);

    /// <summary>True when both sides are equal.</summary>
    public static bool operator ==(Size2D left, Size2D right) => left.Equals(right);

    /// <summary>True when a side differs.</summary>
    public static bool operator !=(Size2D left, Size2D right) => !left.Equals(right);

    /// <summary>The square pair (<paramref name="side"/>, <paramref name="side"/>).</summary>
    public static Size2D FromInt32(int side) => new(side, side);

    /// <summary>Splits into (height, width).</summary>
    public void Deconstruct(out int height, out int width)
    {
        height = Height;
        width = Width;
    }

    /// <inheritdoc />
    public bool Equals(Size2D other) => _heightMinusOne == other._heightMinusOne && _widthMinusOne == other._widthMinusOne;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Size2D other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_heightMinusOne, _widthMinusOne);

    /// <summary><c>3</c> when square, <c>[3, 5]</c> otherwise: the JSON form, for error messages.</summary>
    public override string ToString() => IsSquare ? $"{Height}" : $"[{Height}, {Width}]";
}
