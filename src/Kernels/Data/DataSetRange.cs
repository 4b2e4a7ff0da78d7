namespace DistTrain.Kernels.Data;

/// <summary>
/// A contiguous range <c>[Start, Start + Count)</c> of another data set's samples, without
/// copying (used for the Keras-style validation split: the last fraction of the samples).
/// </summary>
public sealed class DataSetRange : IDataSet
{
    private readonly IDataSet _source;
    private readonly int _start;

    /// <summary>A view of samples <c>[start, start + count)</c> of <paramref name="source"/>.</summary>
    public DataSetRange(IDataSet source, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (start < 0 || count < 0 || (long)start + count > source.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Range [{start}, {(long)start + count}) is outside a data set of {source.Count} samples.");
        }

        _source = source;
        _start = start;
        Count = count;
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> InputShape => _source.InputShape;

    /// <inheritdoc />
    public int InputSize => _source.InputSize;

    /// <inheritdoc />
    public int TargetSize => _source.TargetSize;

    /// <inheritdoc />
    public void Read(ReadOnlySpan<int> indices, Span<float> inputs, Span<float> targets)
    {
        const int chunk = 256;
        Span<int> shifted = stackalloc int[chunk];
        for (int done = 0; done < indices.Length; done += chunk)
        {
            int n = Math.Min(chunk, indices.Length - done);
            for (int i = 0; i < n; i++)
            {
                int s = indices[done + i];
                if ((uint)s >= (uint)Count)
                {
                    throw new ArgumentOutOfRangeException(nameof(indices), $"Sample {s} is outside a data set of {Count}.");
                }

                shifted[i] = s + _start;
            }

            _source.Read(shifted[..n], inputs.Slice(done * InputSize, n * InputSize), targets.Slice(done * TargetSize, n * TargetSize));
        }
    }
}
