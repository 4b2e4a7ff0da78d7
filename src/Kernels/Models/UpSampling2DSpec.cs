namespace DistTrain.Kernels.Models;

/// <summary>Keras <c>UpSampling2D(size, interpolation="nearest")</c>: each cell of <c>[h, w, c]</c> repeated sh × sw times.</summary>
/// <param name="Size">Integer scale (height, width); an int means the same along both axes (JSON <c>2</c> or <c>[2, 3]</c>).</param>
public sealed record UpSampling2DSpec(Size2D Size) : LayerSpec
{
    /// <summary>Scale 2×2 (Keras' default); JSON reading starts from it.</summary>
    public UpSampling2DSpec()
        : this(2)
    {
    }

    /// <inheritdoc />
    public override string Kind => "up_sampling2d";

    /// <inheritdoc />
    public override IReadOnlyList<int> OutputShape(string name, IReadOnlyList<int> inputShape)
    {
        var (h, w, c) = ImageShape.Of(name, "UpSampling2D", inputShape);
        ImageShape.Positive(name, "size", Size);
        return [checked(h * Size.Height), checked(w * Size.Width), c];
    }

    /// <inheritdoc />
    public override Layer CreateLayer(string name, IReadOnlyList<int> inputShape)
    {
        OutputShape(name, inputShape);
        return new UpSampling2DLayer(name, inputShape, Size);
    }
}
