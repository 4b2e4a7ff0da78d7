using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>Ready-made model specifications.</summary>
public static partial class ModelPresets
{
    /// <summary>The MNIST MLP: 784 → Dense(512, relu) → Dense(256, relu) → Dense(10), softmax cross-entropy.</summary>
    public static ModelSpec MnistMlp() => new(
        [784],
        [new DenseSpec(512, ActivationKind.Relu), new DenseSpec(256, ActivationKind.Relu), new DenseSpec(10)],
        LossKind.SoftmaxCrossEntropy);

    /// <summary>Linear regression <c>y = w·x + b</c> on <paramref name="inputs"/> features: one Dense(1), MSE.</summary>
    public static ModelSpec LinearRegression(int inputs = 1) => new(
        [inputs],
        [new DenseSpec(1)],
        LossKind.MeanSquaredError);
}
