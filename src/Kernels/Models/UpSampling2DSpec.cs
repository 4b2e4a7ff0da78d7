namespace DistTrain.Kernels.Models;

/// <summary>Keras <c>UpSampling2D(size, interpolation="nearest")</c>: each cell of <c>[h, w, c]</c> repeated size × size times.</summary>
/// <param name="Size">Integer scale along both axes.</param>
public sealed record UpSampling2DSpec(int Size = 2) : LayerSpec
{
    /// <inheritdoc />
    public override string Kind => "up_sampling2d";

    /// <inheritdoc />
    public override IReadOnlyList<int> OutputShape(string name, IReadOnlyList<int> inputShape)
    {
        var (h, w, c) = ImageShape.Of(name, "UpSampling2D", inputShape);
        ImageShape.Positive(name, "Size", Size);
        return [checked(h * Size), checked(w * Size), c];
    }

    /// <inheritdoc />
    public override Layer CreateLayer(string name, IReadOnlyList<int> inputShape)
    {
        OutputShape(name, inputShape);
        return new UpSampling2DLayer(name, inputShape, Size);
    }
}
