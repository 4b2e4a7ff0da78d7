namespace DistTrain.Kernels.Models;

/// <summary>One parameter tensor of a layer, for example <c>kernel</c> of shape (In, Out).</summary>
/// <param name="Name">Name within the layer (<c>kernel</c>, <c>bias</c>).</param>
/// <param name="Shape">Shape; the tensor is stored row-major in the flat parameter vector.</param>
/// <param name="Initializer">How <see cref="ParameterInitializer"/> fills it.</param>
public sealed record LayerParameter(string Name, int[] Shape, InitializerKind Initializer)
{
    /// <summary>Number of floats.</summary>
    public int Length => Shape.Aggregate(1, (a, d) => checked(a * d));

    /// <summary>Optional L1/L2 penalty on this tensor (Keras <c>kernel_regularizer</c>); see <see cref="Models.Regularizer"/>.</summary>
    public Regularizer? Regularizer { get; init; }
}
