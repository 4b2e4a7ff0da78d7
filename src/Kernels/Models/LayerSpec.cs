using System.Text.Json.Serialization;

namespace DistTrain.Kernels.Models;

/// <summary>
/// The serialisable description of one layer of a sequential model; JSON with a <c>type</c>
/// field (<c>"dense"</c>, …). <see cref="CreateLayer"/> builds the layer for a given input shape.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(DenseSpec), "dense")]
[JsonDerivedType(typeof(Conv2DSpec), "conv2d")]
[JsonDerivedType(typeof(MaxPool2DSpec), "maxPool2d")]
[JsonDerivedType(typeof(AvgPool2DSpec), "avgPool2d")]
[JsonDerivedType(typeof(UpSampling2DSpec), "upSampling2d")]
[JsonDerivedType(typeof(FlattenSpec), "flatten")]
[JsonDerivedType(typeof(DropoutSpec), "dropout")]
[JsonDerivedType(typeof(CustomLayerSpec), "custom")]
public abstract record LayerSpec
{
    /// <summary>Prefix of the layer's name: the n-th layer of this kind is named <c>{Kind}_{n}</c>.</summary>
    [JsonIgnore]
    public abstract string Kind { get; }

    /// <summary>Shape of one output sample for one input sample of <paramref name="inputShape"/>; throws a clear exception when the input does not fit.</summary>
    public abstract IReadOnlyList<int> OutputShape(string name, IReadOnlyList<int> inputShape);

    /// <summary>Builds the layer (no backend resources yet) for samples of <paramref name="inputShape"/>.</summary>
    public abstract Layer CreateLayer(string name, IReadOnlyList<int> inputShape);
}
