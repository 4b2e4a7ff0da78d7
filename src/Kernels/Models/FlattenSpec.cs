namespace DistTrain.Kernels.Models;

/// <summary>Keras <c>Flatten()</c>: a sample of any shape becomes a vector (row-major, so the data do not move).</summary>
public sealed record FlattenSpec : LayerSpec
{
    /// <inheritdoc />
    public override string Kind => "flatten";

    /// <inheritdoc />
    public override IReadOnlyList<int> OutputShape(string name, IReadOnlyList<int> inputShape) => [inputShape.Aggregate(1, (a, d) => checked(a * d))];

    /// <inheritdoc />
    public override Layer CreateLayer(string name, IReadOnlyList<int> inputShape) => new FlattenLayer(name, inputShape);
}
