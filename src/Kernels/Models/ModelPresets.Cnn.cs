using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>Image-classification presets of the course: MNIST, Fashion-MNIST and CIFAR-10.</summary>
public static partial class ModelPresets
{
    /// <summary>
    /// MNIST CNN: [28, 28, 1] → two blocks of Conv2D(3×3, same, relu) + MaxPool2D(2) (32, then
    /// 64 filters) → Flatten → Dense(128, relu) → Dropout(0.3) → Dense(10, softmax).
    /// </summary>
    public static ModelSpec MnistCnn() => SmallCnn(28, 28, 1);

    /// <summary>Fashion-MNIST MLP: [28, 28, 1] → Flatten → Dense(256, relu) → Dropout(0.2) → Dense(128, relu) → Dense(10, softmax).</summary>
    public static ModelSpec FashionMlp() => new(
        [28, 28, 1],
        [
            new FlattenSpec(),
            new DenseSpec(256, ActivationKind.Relu),
            new DropoutSpec(0.2f),
            new DenseSpec(128, ActivationKind.Relu),
            new DenseSpec(10, ActivationKind.Softmax),
        ],
        LossKind.SoftmaxCrossEntropy);

    /// <summary>Fashion-MNIST CNN: the <see cref="MnistCnn"/> architecture on Fashion-MNIST's [28, 28, 1] images.</summary>
    public static ModelSpec FashionCnn() => SmallCnn(28, 28, 1);

    /// <summary>
    /// CIFAR-10 CNN (the Keras example's shape): [32, 32, 3] → Conv2D(32, 3×3, same, relu) ×2 →
    /// MaxPool2D(2) → Dropout(0.25) → Conv2D(64, 3×3, same, relu) ×2 → MaxPool2D(2) →
    /// Dropout(0.25) → Flatten → Dense(512, relu) → Dropout(0.5) → Dense(10, softmax).
    /// </summary>
    public static ModelSpec Cifar10Cnn() => new(
        [32, 32, 3],
        [
            new Conv2DSpec(32, 3, 1, PaddingKind.Same, ActivationKind.Relu),
            new Conv2DSpec(32, 3, 1, PaddingKind.Same, ActivationKind.Relu),
            new MaxPool2DSpec(2),
            new DropoutSpec(0.25f),
            new Conv2DSpec(64, 3, 1, PaddingKind.Same, ActivationKind.Relu),
            new Conv2DSpec(64, 3, 1, PaddingKind.Same, ActivationKind.Relu),
            new MaxPool2DSpec(2),
            new DropoutSpec(0.25f),
            new FlattenSpec(),
            new DenseSpec(512, ActivationKind.Relu),
            new DropoutSpec(0.5f),
            new DenseSpec(10, ActivationKind.Softmax),
        ],
        LossKind.SoftmaxCrossEntropy);

    private static ModelSpec SmallCnn(int height, int width, int channels) => new(
        [height, width, channels],
        [
            new Conv2DSpec(32, 3, 1, PaddingKind.Same, ActivationKind.Relu),
            new MaxPool2DSpec(2),
            new Conv2DSpec(64, 3, 1, PaddingKind.Same, ActivationKind.Relu),
            new MaxPool2DSpec(2),
            new FlattenSpec(),
            new DenseSpec(128, ActivationKind.Relu),
            new DropoutSpec(0.3f),
            new DenseSpec(10, ActivationKind.Softmax),
        ],
        LossKind.SoftmaxCrossEntropy);
}
