namespace DistTrain.Kernels.Data;

/// <summary>A view that applies a <see cref="FeatureScaler"/> to the inputs (or targets) of every sample read.</summary>
public sealed class ScaledDataSet : IDataSet
{
    private readonly IDataSet _source;
    private readonly FeatureScaler _scaler;
    private readonly bool _targets;

    /// <summary>Scales the inputs of <paramref name="source"/>, or its targets when <paramref name="targets"/>.</summary>
    public ScaledDataSet(IDataSet source, FeatureScaler scaler, bool targets = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(scaler);
        int width = targets ? source.TargetSize : source.InputSize;
        if (scaler.Width != width)
        {
            throw new ArgumentException($"The scaler has {scaler.Width} features but the data set's {(targets ? "targets" : "inputs")} have {width}.", nameof(scaler));
        }

        _source = source;
        _scaler = scaler;
        _targets = targets;
    }

    /// <inheritdoc />
    public int Count => _source.Count;

    /// <inheritdoc />
    public IReadOnlyList<int> InputShape => _source.InputShape;

    /// <inheritdoc />
    public int InputSize => _source.InputSize;

    /// <inheritdoc />
    public int TargetSize => _source.TargetSize;

    /// <inheritdoc />
    public void Read(ReadOnlySpan<int> indices, Span<float> inputs, Span<float> targets)
    {
        _source.Read(indices, inputs, targets);
        if (_targets)
        {
            _scaler.Transform(targets[..(indices.Length * TargetSize)]);
        }
        else
        {
            _scaler.Transform(inputs[..(indices.Length * InputSize)]);
        }
    }
}
