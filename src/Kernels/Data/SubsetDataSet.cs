using System.Buffers;

namespace DistTrain.Kernels.Data;

/// <summary>
/// A view of chosen samples of another data set, by index list: sample <c>i</c> of the view
/// is sample <c>Indices[i]</c> of the source. Nothing is copied; a subset of a subset
/// composes the index lists so reads never go through a chain of views.
/// </summary>
public sealed class SubsetDataSet : IDataSet
{
    private readonly IDataSet _source;
    private readonly int[] _indices;

    /// <summary>The samples <paramref name="indices"/> of <paramref name="source"/>, in that order (repeats allowed).</summary>
    public SubsetDataSet(IDataSet source, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        var own = new int[indices.Count];
        for (int i = 0; i < own.Length; i++)
        {
            int s = indices[i];
            if ((uint)s >= (uint)source.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {s} at position {i} is outside a data set of {source.Count} samples.");
            }

            own[i] = s;
        }

        if (source is SubsetDataSet inner)
        {
            for (int i = 0; i < own.Length; i++)
            {
                own[i] = inner._indices[own[i]];
            }

            source = inner._source;
        }

        _source = source;
        _indices = own;
    }

    /// <summary>The underlying data set (never itself a <see cref="SubsetDataSet"/>).</summary>
    public IDataSet Source => _source;

    /// <summary>Indices into <see cref="Source"/>.</summary>
    public ReadOnlySpan<int> Indices => _indices;

    /// <inheritdoc />
    public int Count => _indices.Length;

    /// <inheritdoc />
    public IReadOnlyList<int> InputShape => _source.InputShape;

    /// <inheritdoc />
    public int InputSize => _source.InputSize;

    /// <inheritdoc />
    public int TargetSize => _source.TargetSize;

    /// <inheritdoc />
    public void Read(ReadOnlySpan<int> indices, Span<float> inputs, Span<float> targets)
    {
        int[] mapped = ArrayPool<int>.Shared.Rent(indices.Length);
        try
        {
            for (int i = 0; i < indices.Length; i++)
            {
                int s = indices[i];
                if ((uint)s >= (uint)_indices.Length)
                {
                    throw new ArgumentOutOfRangeException(nameof(indices), $"Sample {s} is outside a data set of {_indices.Length}.");
                }

                mapped[i] = _indices[s];
            }

            _source.Read(mapped.AsSpan(0, indices.Length), inputs, targets);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(mapped);
        }
    }
}
