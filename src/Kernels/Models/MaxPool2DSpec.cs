using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>Keras <c>MaxPool2D(pool_size, strides, padding)</c> on image samples <c>[h, w, c]</c>; strides default to the pool size.</summary>
/// <param name="PoolSize">Window (height, width); an int means a square window.</param>
/// <param name="Strides">Stride (height, width); an int means the same along both axes; null means <paramref name="PoolSize"/>.</param>
/// <param name="Padding"><c>valid</c> or <c>same</c> (padding cells are ignored).</param>
public sealed record MaxPool2DSpec(Size2D PoolSize, Size2D? Strides = null, PaddingKind Padding = PaddingKind.Valid) : Pool2DSpec(PoolSize, Strides, Padding)
{
    /// <summary>A 2×2 window with stride 2 and <c>valid</c> padding (Keras' defaults); JSON reading starts from these.</summary>
    public MaxPool2DSpec()
        : this(2)
    {
    }

    /// <inheritdoc />
    public override string Kind => "max_pooling2d";

    /// <inheritdoc />
    protected override bool IsMax => true;

    /// <inheritdoc />
    protected override string TypeName => "MaxPool2D";
}
