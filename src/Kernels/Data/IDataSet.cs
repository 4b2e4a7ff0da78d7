namespace DistTrain.Kernels.Data;

/// <summary>
/// A random-access set of samples: each sample is an input row of <see cref="InputSize"/>
/// floats and a target row of <see cref="TargetSize"/> floats (one-hot for classification).
/// Workers read their micro-shards from a data set themselves; samples never travel
/// through Orleans.
/// </summary>
public interface IDataSet
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Shape of one input sample, for example <c>[28, 28, 1]</c> or <c>[784]</c>.</summary>
    IReadOnlyList<int> InputShape { get; }

    /// <summary>Floats per input row (the product of <see cref="InputShape"/>).</summary>
    int InputSize { get; }

    /// <summary>Floats per target row.</summary>
    int TargetSize { get; }

    /// <summary>
    /// Copies the samples <paramref name="indices"/> (in that order) into consecutive rows of
    /// <paramref name="inputs"/> (indices.Length × InputSize) and <paramref name="targets"/>
    /// (indices.Length × TargetSize).
    /// </summary>
    void Read(ReadOnlySpan<int> indices, Span<float> inputs, Span<float> targets);
}
