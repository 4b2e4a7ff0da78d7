namespace DistTrain.Kernels.Backends;

/// <summary>
/// A one-dimensional float32 buffer owned by a compute backend (host memory for the CPU
/// backend, device memory for ILGPU). New buffers are zero-filled.
/// </summary>
public abstract class DeviceBuffer : IDisposable
{
    /// <summary>Creates a buffer of <paramref name="length"/> floats.</summary>
    protected DeviceBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
    }

    /// <summary>Number of floats in the buffer.</summary>
    public int Length { get; }

    /// <summary>Copies <paramref name="source"/> into the buffer starting at <paramref name="offset"/>.</summary>
    public abstract void Upload(ReadOnlySpan<float> source, int offset = 0);

    /// <summary>Copies <c>destination.Length</c> floats starting at <paramref name="offset"/> into <paramref name="destination"/>.</summary>
    public abstract void Download(Span<float> destination, int offset = 0);

    /// <summary>Copies the whole buffer to a new host array.</summary>
    public float[] ToArray()
    {
        var result = new float[Length];
        Download(result);
        return result;
    }

    /// <summary>The whole buffer as a span.</summary>
    public BufferSpan All => new(this, 0, Length);

    /// <summary>A range of the buffer.</summary>
    public BufferSpan Slice(int offset, int length) => All.Slice(offset, length);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the buffer's memory.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Checks that a host copy of <paramref name="count"/> floats at <paramref name="offset"/> stays inside the buffer.</summary>
    protected void CheckRange(int offset, int count)
    {
        if (offset < 0 || count < 0 || (long)offset + count > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Range [{offset}, {offset + (long)count}) is outside a buffer of {Length} floats.");
        }
    }
}

/// <summary>A contiguous range <c>[Offset, Offset + Length)</c> of a <see cref="DeviceBuffer"/>.</summary>
public readonly record struct BufferSpan
{
    /// <summary>Creates a range, checking that it lies inside the buffer.</summary>
    public BufferSpan(DeviceBuffer buffer, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (offset < 0 || length < 0 || (long)offset + length > buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Range [{offset}, {offset + (long)length}) is outside a buffer of {buffer.Length} floats.");
        }

        Buffer = buffer;
        Offset = offset;
        Length = length;
    }

    /// <summary>The buffer this range belongs to.</summary>
    public DeviceBuffer Buffer { get; }

    /// <summary>First element of the range.</summary>
    public int Offset { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>A sub-range, relative to this one.</summary>
    public BufferSpan Slice(int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Slice [{offset}, {offset + (long)length}) is outside a span of {Length} floats.");
        }

        return new BufferSpan(Buffer, Offset + offset, length);
    }

    /// <summary>Copies the range to a new host array.</summary>
    public float[] ToArray()
    {
        var result = new float[Length];
        Buffer.Download(result, Offset);
        return result;
    }

    /// <summary>Copies <paramref name="source"/> into the start of the range.</summary>
    public void Upload(ReadOnlySpan<float> source)
    {
        if (source.Length > Length)
        {
            throw new ArgumentException($"{source.Length} floats do not fit in a span of {Length}.", nameof(source));
        }

        Buffer.Upload(source, Offset);
    }

    /// <summary>The whole buffer as a span.</summary>
    public static implicit operator BufferSpan(DeviceBuffer buffer) => buffer.All;
}
