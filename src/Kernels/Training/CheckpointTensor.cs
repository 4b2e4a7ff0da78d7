namespace DistTrain.Kernels.Training;

/// <summary>
/// One named range of the flat parameter vector as a checkpoint records it (the same
/// entries as the model's parameter layout), so that a checkpoint can be checked against
/// the model it is loaded into.
/// </summary>
/// <param name="Name">Parameter name, for example <c>dense_0/kernel</c>.</param>
/// <param name="Offset">First float in the flat vector.</param>
/// <param name="Length">Number of floats.</param>
/// <param name="Shape">Shape of the tensor (its product is <paramref name="Length"/>).</param>
public sealed record CheckpointTensor(string Name, int Offset, int Length, int[] Shape)
{
    /// <summary>Whether name, range and shape all match.</summary>
    public bool Matches(CheckpointTensor other) =>
        other is not null && Name == other.Name && Offset == other.Offset && Length == other.Length && Shape.AsSpan().SequenceEqual(other.Shape);

    /// <inheritdoc />
    public override string ToString() => $"{Name}[{string.Join('x', Shape)}]@{Offset}";
}
