using ILGPU;
using ILGPU.Runtime;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>A <see cref="DeviceBuffer"/> in the memory of an ILGPU accelerator.</summary>
public sealed class IlGpuBuffer : DeviceBuffer
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _memory;

    internal IlGpuBuffer(Accelerator accelerator, int length)
        : base(length)
    {
        Accelerator = accelerator;
        accelerator.Bind();

        // ILGPU refuses zero-length allocations on some accelerators; one spare float keeps
        // every buffer valid while Length stays what the caller asked for.
        _memory = accelerator.Allocate1D<float>(Math.Max(length, 1));
        _memory.MemSetToZero();
    }

    /// <summary>The accelerator that owns the memory.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The whole buffer as an ILGPU view (Length elements).</summary>
    public ArrayView<float> View => _memory.View.SubView(0, Length).AsContiguous();

    /// <summary>The view of <c>[offset, offset + length)</c>.</summary>
    public ArrayView<float> SubView(int offset, int length) => _memory.View.SubView(offset, length).AsContiguous();

    /// <inheritdoc />
    public override void Upload(ReadOnlySpan<float> source, int offset = 0)
    {
        CheckRange(offset, source.Length);
        if (source.Length > 0)
        {
            Accelerator.Bind();
            SubView(offset, source.Length).CopyFromCPU(source);
        }
    }

    /// <inheritdoc />
    public override void Download(Span<float> destination, int offset = 0)
    {
        CheckRange(offset, destination.Length);
        if (destination.Length > 0)
        {
            Accelerator.Bind();
            // Synchronous on the default stream, so every kernel launched before has finished.
            SubView(offset, destination.Length).CopyToCPU(destination);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !Accelerator.IsDisposed)
        {
            // A disposed accelerator has already freed its buffers.
            Accelerator.Bind();
            _memory.Dispose();
        }

        base.Dispose(disposing);
    }
}
