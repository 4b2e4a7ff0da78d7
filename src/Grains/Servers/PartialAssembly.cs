namespace DistTrain.Grains.Servers;

/// <summary>
/// Collects the chunks of one pushed partial gradient until the whole slice has arrived.
/// A chunk offset already received is a duplicate and is ignored.
/// </summary>
internal sealed class PartialAssembly(float[] buffer)
{
    private readonly HashSet<int> _offsets = [];
    private int _received;

    /// <summary>The partial being filled (slice length).</summary>
    public float[] Buffer { get; } = buffer;

    /// <summary>Whether every float of the slice has arrived.</summary>
    public bool IsComplete => _received == Buffer.Length;

    /// <summary>Copies a chunk in; false when that offset was already received.</summary>
    public bool Add(int offset, ReadOnlySpan<float> values)
    {
        if (offset < 0 || (long)offset + values.Length > Buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Chunk [{offset}, {(long)offset + values.Length}) is outside a slice of {Buffer.Length} floats.");
        }

        if (!_offsets.Add(offset))
        {
            return false;
        }

        values.CopyTo(Buffer.AsSpan(offset));
        _received += values.Length;
        return true;
    }
}
