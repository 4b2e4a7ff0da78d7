namespace DistTrain.Kernels.Models;

/// <summary>
/// Keras <c>Dropout(rate)</c>: in training, each element is zeroed with probability
/// <paramref name="Rate"/> and the others scaled by 1/(1 − rate); in evaluation and prediction it
/// is the identity. The mask is a pure function of (run seed, layer, step, row of the global
/// batch) (<see cref="Randomness.DropoutMask"/>), so distributed runs stay bit-identical.
/// </summary>
/// <param name="Rate">Fraction dropped, in [0, 1).</param>
public sealed record DropoutSpec(float Rate) : LayerSpec
{
    /// <inheritdoc />
    public override string Kind => "dropout";

    /// <inheritdoc />
    public override IReadOnlyList<int> OutputShape(string name, IReadOnlyList<int> inputShape)
    {
        if (!(Rate >= 0f && Rate < 1f))
        {
            throw new ArgumentException($"Layer {name}: the dropout rate must be in [0, 1), got {Rate}.");
        }

        return [.. inputShape];
    }

    /// <inheritdoc />
    public override Layer CreateLayer(string name, IReadOnlyList<int> inputShape)
    {
        OutputShape(name, inputShape);
        return new DropoutLayer(name, inputShape, Rate);
    }
}
