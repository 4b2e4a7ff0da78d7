using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>Keras <c>MaxPool2D(pool_size, strides, padding)</c> on image samples <c>[h, w, c]</c>; strides default to the pool size.</summary>
/// <param name="PoolSize">Side of the square window.</param>
/// <param name="Strides">Stride along both axes; null means <paramref name="PoolSize"/>.</param>
/// <param name="Padding"><c>valid</c> or <c>same</c> (padding cells are ignored).</param>
public sealed record MaxPool2DSpec(int PoolSize = 2, int? Strides = null, PaddingKind Padding = PaddingKind.Valid) : Pool2DSpec(PoolSize, Strides, Padding)
{
    /// <inheritdoc />
    public override string Kind => "max_pooling2d";

    /// <inheritdoc />
    protected override bool IsMax => true;

    /// <inheritdoc />
    protected override string TypeName => "MaxPool2D";
}
