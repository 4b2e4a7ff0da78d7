namespace DistTrain.Kernels.Data;

/// <summary>A data set held as two dense row-major float arrays.</summary>
public sealed class InMemoryDataSet : IDataSet
{
    private readonly float[] _inputs;
    private readonly float[] _targets;
    private readonly int[] _inputShape;

    /// <summary>Wraps <paramref name="inputs"/> (count × inputSize) and <paramref name="targets"/> (count × targetSize).</summary>
    public InMemoryDataSet(float[] inputs, float[] targets, IReadOnlyList<int> inputShape, int targetSize)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetSize);
        if (inputShape.Count == 0 || inputShape.Any(d => d <= 0))
        {
            throw new ArgumentException("Input shape must have positive dimensions.", nameof(inputShape));
        }

        _inputShape = [.. inputShape];
        InputSize = checked(_inputShape.Aggregate(1, (a, d) => a * d));
        TargetSize = targetSize;
        if (inputs.Length % InputSize != 0)
        {
            throw new ArgumentException($"{inputs.Length} input floats are not a whole number of {InputSize}-float samples.", nameof(inputs));
        }

        Count = inputs.Length / InputSize;
        if (targets.Length != (long)Count * targetSize)
        {
            throw new ArgumentException($"Expected {Count} × {targetSize} target floats, got {targets.Length}.", nameof(targets));
        }

        _inputs = inputs;
        _targets = targets;
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> InputShape => _inputShape;

    /// <inheritdoc />
    public int InputSize { get; }

    /// <inheritdoc />
    public int TargetSize { get; }

    /// <summary>All input rows.</summary>
    public ReadOnlySpan<float> Inputs => _inputs;

    /// <summary>All target rows.</summary>
    public ReadOnlySpan<float> Targets => _targets;

    /// <inheritdoc />
    public void Read(ReadOnlySpan<int> indices, Span<float> inputs, Span<float> targets)
    {
        if (inputs.Length < indices.Length * InputSize || targets.Length < indices.Length * TargetSize)
        {
            throw new ArgumentException("Destination spans are too small for the requested samples.");
        }

        for (int i = 0; i < indices.Length; i++)
        {
            int s = indices[i];
            if ((uint)s >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"Sample {s} is outside a data set of {Count}.");
            }

            _inputs.AsSpan(s * InputSize, InputSize).CopyTo(inputs.Slice(i * InputSize, InputSize));
            _targets.AsSpan(s * TargetSize, TargetSize).CopyTo(targets.Slice(i * TargetSize, TargetSize));
        }
    }
}
