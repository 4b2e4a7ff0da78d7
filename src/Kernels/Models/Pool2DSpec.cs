using System.Text.Json.Serialization;
using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>
/// What <see cref="MaxPool2DSpec"/> and <see cref="AvgPool2DSpec"/> share: a (height, width) window over
/// image samples <c>[h, w, c]</c>, its checks and output shape, and the <see cref="Pool2DLayer"/>
/// it builds; strides default to the pool size (Keras).
/// </summary>
/// <param name="PoolSize">Window (height, width); an int means a square window (JSON <c>2</c> or <c>[2, 3]</c>).</param>
/// <param name="Strides">Stride (height, width); an int means the same along both axes; null means <paramref name="PoolSize"/>.</param>
/// <param name="Padding"><c>valid</c> or <c>same</c>.</param>
public abstract record Pool2DSpec(Size2D PoolSize, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Size2D? Strides, PaddingKind Padding) : LayerSpec
{
    /// <summary>True for max pooling, false for average pooling.</summary>
    [JsonIgnore]
    protected abstract bool IsMax { get; }

    /// <summary>The layer type named in error messages (<c>MaxPool2D</c>, <c>AvgPool2D</c>).</summary>
    [JsonIgnore]
    protected abstract string TypeName { get; }

    /// <inheritdoc />
    public sealed override IReadOnlyList<int> OutputShape(string name, IReadOnlyList<int> inputShape) => Pool2DLayer.OutputShapeOf(Window(name, inputShape));

    /// <inheritdoc />
    public sealed override Layer CreateLayer(string name, IReadOnlyList<int> inputShape) => new Pool2DLayer(name, Window(name, inputShape), IsMax);

    private Window2D Window(string name, IReadOnlyList<int> inputShape) =>
        ImageShape.Window(name, inputShape, TypeName, "poolSize", PoolSize, Strides ?? PoolSize, Padding);
}
