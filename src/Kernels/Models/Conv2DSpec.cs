using System.Text.Json.Serialization;
using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>
/// A 2-D convolution (Keras <c>Conv2D(filters, kernel_size, strides, padding, activation)</c>) on
/// image samples <c>[h, w, c]</c>; kernel <c>[kh, kw, c, filters]</c>, bias <c>[filters]</c>;
/// output <c>[oh, ow, filters]</c> with TensorFlow's padding arithmetic, per axis:
/// <c>valid</c> ⌊(h − kh) / sh⌋ + 1, <c>same</c> ⌈h / sh⌉ (likewise for w, kw, sw).
/// </summary>
/// <param name="Filters">Output channels (&gt; 0).</param>
/// <param name="KernelSize">Kernel (height, width); an int means a square kernel (JSON <c>3</c> or <c>[3, 5]</c>).</param>
/// <param name="Strides">Stride (height, width); an int means the same along both axes; the default is 1×1 (<c>default(Size2D)</c>).</param>
/// <param name="Padding"><c>valid</c> or <c>same</c>.</param>
/// <param name="Activation">Activation applied to the outputs.</param>
/// <param name="KernelInitializer">Initialiser of the kernel; the bias starts at zero.</param>
/// <param name="KernelRegularizer">Optional L1/L2 penalty on the kernel.</param>
public sealed record Conv2DSpec(
    int Filters,
    Size2D KernelSize,
    Size2D Strides = default,
    PaddingKind Padding = PaddingKind.Valid,
    ActivationKind Activation = ActivationKind.Linear,
    InitializerKind KernelInitializer = InitializerKind.GlorotUniform,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Regularizer? KernelRegularizer = null) : LayerSpec
{
    /// <inheritdoc />
    public override string Kind => "conv2d";

    /// <inheritdoc />
    public override IReadOnlyList<int> OutputShape(string name, IReadOnlyList<int> inputShape)
    {
        var window = Window(name, inputShape);
        return [window.OutputHeight, window.OutputWidth, Filters];
    }

    /// <inheritdoc />
    public override Layer CreateLayer(string name, IReadOnlyList<int> inputShape) =>
        new Conv2DLayer(name, Window(name, inputShape), Filters, Activation, KernelInitializer, KernelRegularizer);

    private Window2D Window(string name, IReadOnlyList<int> inputShape)
    {
        ImageShape.Positive(name, "Filters", Filters);
        if (!Enum.IsDefined(Activation) || Activation == ActivationKind.Softmax || !Enum.IsDefined(KernelInitializer))
        {
            throw new ArgumentException($"Layer {name}: Conv2D supports the element-wise activations (linear, relu, sigmoid, tanh) and known initializers, got {Activation} and {KernelInitializer}.");
        }

        KernelRegularizer?.Validate(name);
        return ImageShape.Window(name, inputShape, "Conv2D", "kernelSize", KernelSize, Strides, Padding);
    }
}
