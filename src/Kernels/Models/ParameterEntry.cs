namespace DistTrain.Kernels.Models;

/// <summary>One named tensor in the flat parameter vector: floats <c>[Offset, Offset + Length)</c>, row-major in <paramref name="Shape"/>.</summary>
/// <param name="Name">Layer and parameter name, for example <c>dense_0/kernel</c>.</param>
/// <param name="Offset">First float in the flat vector.</param>
/// <param name="Length">Number of floats (the product of the shape).</param>
/// <param name="Shape">Tensor shape, for example <c>[784, 512]</c>.</param>
public sealed record ParameterEntry(string Name, int Offset, int Length, int[] Shape)
{
    /// <inheritdoc />
    public bool Equals(ParameterEntry? other) =>
        other is not null && Name == other.Name && Offset == other.Offset && Length == other.Length && Shape.AsSpan().SequenceEqual(other.Shape);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Offset, Length);

    /// <inheritdoc />
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}] at {Offset}";
}
