using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Models;

namespace DistTrain;

/// <summary>
/// A stack of layers built one call at a time (Keras' <c>Sequential</c>):
/// <code>
/// var model = new Sequential(784)
///     .Dense(512, ActivationKind.Relu).Dropout(0.2f)
///     .Dense(10, ActivationKind.Softmax);
/// model.Compile(new Sgd(0.05f, momentum: 0.9f), "categorical_crossentropy", "accuracy");
/// </code>
/// Any <see cref="LayerSpec"/> of the Kernels (<see cref="Conv2DSpec"/>, <see cref="MaxPool2DSpec"/>, …) goes in with <see cref="Add"/>.
/// </summary>
public sealed class Sequential : Model
{
    /// <summary>An empty model for samples of <paramref name="inputShape"/> (<c>784</c>, or <c>28, 28, 1</c> for images).</summary>
    public Sequential(params int[] inputShape)
        : base(inputShape ?? throw new ArgumentNullException(nameof(inputShape)), [], null)
    {
    }

    internal Sequential(IReadOnlyList<int> inputShape, IEnumerable<LayerSpec> layers, LossKind loss)
        : base(inputShape, layers, loss)
    {
    }

    /// <summary>Appends <paramref name="layer"/>.</summary>
    public Sequential Add(LayerSpec layer)
    {
        AddLayer(layer);
        return this;
    }

    /// <summary>Appends <c>Dense(units, activation)</c>; a last softmax (or sigmoid) is fused into the cross-entropy loss.</summary>
    public Sequential Dense(int units, ActivationKind activation = ActivationKind.Linear) => Add(new DenseSpec(units, activation));

    /// <summary>Appends <c>Dropout(rate)</c> (active while training only).</summary>
    public Sequential Dropout(float rate) => Add(new DropoutSpec(rate));

    /// <summary>Appends <c>Flatten()</c>.</summary>
    public Sequential Flatten() => Add(new FlattenSpec());

    /// <summary>Appends <c>Conv2D(filters, kernelSize, padding, activation)</c> with stride 1.</summary>
    public Sequential Conv2D(int filters, int kernelSize, ActivationKind activation = ActivationKind.Linear, PaddingKind padding = PaddingKind.Valid) =>
        Add(new Conv2DSpec(filters, kernelSize, Padding: padding, Activation: activation));

    /// <summary>Appends <c>MaxPooling2D(poolSize)</c>.</summary>
    public Sequential MaxPool2D(int poolSize = 2) => Add(new MaxPool2DSpec(poolSize));
}
