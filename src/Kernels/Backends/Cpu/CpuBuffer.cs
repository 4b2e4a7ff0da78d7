using System.Runtime.InteropServices;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// A host buffer of the <see cref="CpuBackend"/>: native memory aligned to 64 bytes (one
/// cache line, one Vector512), so SIMD loads of a whole buffer never split cache lines and
/// the garbage collector never moves it.
/// </summary>
public sealed unsafe class CpuBuffer : DeviceBuffer
{
    private const nuint Alignment = 64;

    private float* _pointer;

    internal CpuBuffer(int length)
        : base(length)
    {
        // Allocate at least one float so that an empty buffer still has a valid pointer.
        var bytes = (nuint)Math.Max(length, 1) * sizeof(float);
        _pointer = (float*)NativeMemory.AlignedAlloc(bytes, Alignment);
        NativeMemory.Clear(_pointer, bytes);
        if (length > 0)
        {
            GC.AddMemoryPressure((long)bytes);
        }
    }

    /// <summary>Frees the native memory of a buffer that was not disposed.</summary>
    ~CpuBuffer() => Dispose(false);

    /// <summary>The first float of the buffer; valid until the buffer is disposed.</summary>
    internal float* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return _pointer;
        }
    }

    /// <summary>A span over <paramref name="length"/> floats starting at <paramref name="offset"/> (range checked by the caller).</summary>
    internal Span<float> AsSpan(int offset, int length) => new(Pointer + offset, length);

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<float> source, int offset = 0)
    {
        CheckRange(offset, source.Length);
        source.CopyTo(AsSpan(offset, source.Length));
    }

    /// <inheritdoc />
    public override void Download(Span<float> destination, int offset = 0)
    {
        CheckRange(offset, destination.Length);
        AsSpan(offset, destination.Length).CopyTo(destination);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
            if (Length > 0)
            {
                GC.RemoveMemoryPressure((long)Length * sizeof(float));
            }
        }

        base.Dispose(disposing);
    }
}
