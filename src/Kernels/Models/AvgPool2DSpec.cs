using System.Text.Json.Serialization;
using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>
/// Keras <c>AveragePooling2D(pool_size, strides, padding)</c> on image samples <c>[h, w, c]</c>;
/// strides default to the pool size. With <c>same</c> padding a window averages only its
/// in-image cells, as TensorFlow does.
/// </summary>
/// <param name="PoolSize">Side of the square window.</param>
/// <param name="Strides">Stride along both axes; null means <paramref name="PoolSize"/>.</param>
/// <param name="Padding"><c>valid</c> or <c>same</c>.</param>
public sealed record AvgPool2DSpec(int PoolSize = 2, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Strides = null, PaddingKind Padding = PaddingKind.Valid) : LayerSpec
{
    /// <inheritdoc />
    public override string Kind => "average_pooling2d";

    /// <inheritdoc />
    public override IReadOnlyList<int> OutputShape(string name, IReadOnlyList<int> inputShape) => Pool2DLayer.OutputShapeOf(Window(name, inputShape));

    /// <inheritdoc />
    public override Layer CreateLayer(string name, IReadOnlyList<int> inputShape) => new Pool2DLayer(name, Window(name, inputShape), max: false);

    private Window2D Window(string name, IReadOnlyList<int> inputShape) =>
        ImageShape.Window(name, inputShape, "AvgPool2D", PoolSize, Strides ?? PoolSize, Padding);
}
