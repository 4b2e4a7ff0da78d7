using System.Text.Json.Serialization;
using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>A fully connected layer (Keras <c>Dense(units, activation)</c>) on a flat input.</summary>
/// <param name="Units">Number of outputs (&gt; 0).</param>
/// <param name="Activation">Activation applied to the outputs.</param>
/// <param name="KernelInitializer">Initialiser of the kernel; the bias starts at zero.</param>
/// <param name="KernelRegularizer">Optional L1/L2 penalty on the kernel (see <see cref="Regularizer"/>).</param>
public sealed record DenseSpec(
    int Units,
    ActivationKind Activation = ActivationKind.Linear,
    InitializerKind KernelInitializer = InitializerKind.GlorotUniform,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Regularizer? KernelRegularizer = null) : LayerSpec
{
    /// <inheritdoc />
    public override string Kind => "dense";

    /// <inheritdoc />
    public override IReadOnlyList<int> OutputShape(string name, IReadOnlyList<int> inputShape)
    {
        if (Units <= 0)
        {
            throw new ArgumentException($"Layer {name}: Dense needs Units > 0, got {Units}.");
        }

        if (inputShape.Count != 1)
        {
            throw new ArgumentException($"Layer {name}: Dense needs a flat input, got shape [{string.Join(", ", inputShape)}]; add a Flatten layer before it.");
        }

        if (!Enum.IsDefined(Activation) || !Enum.IsDefined(KernelInitializer))
        {
            throw new ArgumentException($"Layer {name}: unknown activation {Activation} or initializer {KernelInitializer}.");
        }

        KernelRegularizer?.Validate(name);
        return [Units];
    }

    /// <inheritdoc />
    public override Layer CreateLayer(string name, IReadOnlyList<int> inputShape)
    {
        OutputShape(name, inputShape);
        return new DenseLayer(name, inputShape[0], Units, Activation, KernelInitializer, KernelRegularizer);
    }
}
