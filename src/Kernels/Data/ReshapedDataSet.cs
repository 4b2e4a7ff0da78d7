namespace DistTrain.Kernels.Data;

/// <summary>
/// The same samples with another input shape of the same size, for example MNIST's
/// <c>[28, 28, 1]</c> seen as <c>[784]</c> by a dense model.
/// </summary>
public sealed class ReshapedDataSet : IDataSet
{
    private readonly IDataSet _source;
    private readonly int[] _shape;

    /// <summary>Views <paramref name="source"/> with input shape <paramref name="inputShape"/>.</summary>
    public ReshapedDataSet(IDataSet source, IReadOnlyList<int> inputShape)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(inputShape);
        _shape = [.. inputShape];
        long size = _shape.Aggregate(1L, (a, d) => a * d);
        if (_shape.Length == 0 || _shape.Any(d => d <= 0) || size != source.InputSize)
        {
            throw new ArgumentException(
                $"Shape [{string.Join(", ", _shape)}] does not hold the {source.InputSize} inputs of shape [{string.Join(", ", source.InputShape)}].",
                nameof(inputShape));
        }

        _source = source;
    }

    /// <summary>Views <paramref name="source"/> with the flat input shape <c>[InputSize]</c>.</summary>
    public static ReshapedDataSet Flatten(IDataSet source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new(source, [source.InputSize]);
    }

    /// <inheritdoc />
    public int Count => _source.Count;

    /// <inheritdoc />
    public IReadOnlyList<int> InputShape => _shape;

    /// <inheritdoc />
    public int InputSize => _source.InputSize;

    /// <inheritdoc />
    public int TargetSize => _source.TargetSize;

    /// <inheritdoc />
    public void Read(ReadOnlySpan<int> indices, Span<float> inputs, Span<float> targets) => _source.Read(indices, inputs, targets);
}
