using System.Buffers;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>
/// <see cref="IComputeBackend"/> on an ILGPU <see cref="ILGPU.Runtime.Accelerator"/>: CUDA,
/// OpenCL, or ILGPU's CPU accelerator (an emulator of the GPU kernels, for tests).
/// </summary>
/// <remarks>
/// All work goes to the accelerator's default stream in call order; host reads
/// (<see cref="DeviceBuffer.Download"/>, the scalar results of losses and metrics) wait for it.
/// Reductions are deterministic: per-row or per-column work items sum in a fixed order and
/// the host adds their results in index order. One caller at a time: the backend keeps
/// scratch buffers between calls.
/// </remarks>
public sealed partial class IlGpuBackend : IComputeBackend
{
    /// <summary>Work items of <see cref="SumOfSquares"/>; item t sums elements t, t + P, t + 2P, ….</summary>
    internal const int SumOfSquaresStride = 4096;

    private readonly Context? _ownedContext;
    private readonly bool _ownsAccelerator;
    private readonly KernelSet _kernels;
    private readonly bool _hasFloat64;
    private MemoryBuffer1D<float, Stride1D.Dense>? _scratchFloats;
    private MemoryBuffer1D<int, Stride1D.Dense>? _scratchInts;
    private MemoryBuffer1D<double, Stride1D.Dense>? _scratchDoubles;
    private bool _disposed;

    /// <summary>
    /// A backend on an accelerator the caller owns (and disposes after the backend). Several
    /// backends may share one accelerator; they share its compiled kernels.
    /// </summary>
    public IlGpuBackend(Accelerator accelerator, IlGpuBackendOptions? options = null)
        : this(accelerator, null, false, options)
    {
    }

    private IlGpuBackend(Accelerator accelerator, Context? ownedContext, bool ownsAccelerator, IlGpuBackendOptions? options)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        Options = options ?? new IlGpuBackendOptions();
        _ownedContext = ownedContext;
        _ownsAccelerator = ownsAccelerator;
        _kernels = KernelSet.For(accelerator);
        _hasFloat64 = accelerator.Capabilities is not CLCapabilityContext openCl || openCl.Float64;
        Name = accelerator.AcceleratorType switch
        {
            AcceleratorType.Cuda => "ilgpu-cuda",
            AcceleratorType.OpenCL => "ilgpu-opencl",
            AcceleratorType.CPU => "ilgpu-cpu",
            _ => "ilgpu",
        };
        if (Options.GemmThreads is { } forced && (forced is not (1 or 2 or 4 or 8 or 16) || forced * forced > accelerator.MaxNumThreadsPerGroup))
        {
            throw new ArgumentException($"GemmThreads = {forced} is not a power of two up to 16 whose square fits the {accelerator.MaxNumThreadsPerGroup} threads per group of {accelerator.Name}.", nameof(options));
        }

        GemmThreads = Options.GemmThreads ?? ChooseGemmThreads(accelerator);
        _fixedGemmThreads = Options.GemmThreads is not null;
        GemmImplementation = $"tiled kernel ({GemmThreads}x{GemmThreads} threads per group)";
        if (!Options.DeterministicGemm && accelerator is CudaAccelerator cuda)
        {
            _cuBlas = CuBlasLoader.TryCreate(cuda, out var failure);
            GemmImplementation = _cuBlas is not null ? $"cuBLAS {_cuBlas.Version}" : $"{GemmImplementation}; {failure}";
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The accelerator the kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>The settings this backend was created with.</summary>
    public IlGpuBackendOptions Options { get; }

    /// <summary>How <see cref="Gemm"/> runs here (own kernel or cuBLAS, and why), for logs.</summary>
    public string GemmImplementation { get; }

    /// <summary>A backend on ILGPU's CPU accelerator (the GPU kernels emulated on the CPU), owning its context.</summary>
    public static IlGpuBackend CreateCpuEmulator(IlGpuBackendOptions? options = null)
    {
        var context = IlGpuDevices.CreateContext();
        return CreateOwned(context, context.GetCPUDevice(0), options);
    }

    /// <summary>A backend on <paramref name="device"/> of <paramref name="context"/> that disposes both.</summary>
    internal static IlGpuBackend CreateOwned(Context context, Device device, IlGpuBackendOptions? options)
    {
        try
        {
            return new IlGpuBackend(device.CreateAccelerator(context), context, true, options);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public DeviceBuffer Allocate(int length)
    {
        ThrowIfDisposed();
        return new IlGpuBuffer(Accelerator, length);
    }

    /// <inheritdoc />
    public void Fill(BufferSpan x, float value)
    {
        var view = View(x, nameof(x));
        if (x.Length > 0)
        {
            _kernels.Fill(x.Length, view, value);
        }
    }

    /// <inheritdoc />
    public void Copy(BufferSpan source, BufferSpan destination)
    {
        var from = View(source, nameof(source));
        var to = View(destination, nameof(destination));
        if (source.Length != destination.Length)
        {
            throw new ArgumentException($"source has {source.Length} floats but destination has {destination.Length}; Copy needs equal lengths.", nameof(destination));
        }

        if (source.Length == 0 || (source.Buffer == destination.Buffer && source.Offset == destination.Offset))
        {
            return;
        }

        var overlaps = source.Buffer == destination.Buffer
            && source.Offset < destination.Offset + destination.Length
            && destination.Offset < source.Offset + source.Length;
        if (overlaps)
        {
            // Parallel threads would read elements others already overwrote: go through scratch.
            var staging = ScratchFloats(source.Length);
            _kernels.Copy(source.Length, from, staging);
            from = staging;
        }

        _kernels.Copy(source.Length, from, to);
    }

    /// <inheritdoc />
    public void Scale(BufferSpan x, float alpha)
    {
        var view = View(x, nameof(x));
        if (x.Length > 0)
        {
            _kernels.Scale(x.Length, view, alpha);
        }
    }

    /// <inheritdoc />
    public void Axpy(float alpha, BufferSpan x, BufferSpan y)
    {
        var xs = View(x, nameof(x));
        var ys = View(y, nameof(y));
        RequireSameLength(x, nameof(x), y, nameof(y));
        if (x.Length > 0)
        {
            _kernels.Axpy(x.Length, alpha, xs, ys);
        }
    }

    /// <inheritdoc />
    public void Add(BufferSpan a, BufferSpan b, BufferSpan result)
    {
        var av = View(a, nameof(a));
        var bv = View(b, nameof(b));
        var rv = View(result, nameof(result));
        RequireSameLength(a, nameof(a), b, nameof(b));
        RequireSameLength(a, nameof(a), result, nameof(result));
        if (a.Length > 0)
        {
            _kernels.Add(a.Length, av, bv, rv);
        }
    }

    /// <inheritdoc />
    public void MomentumSgd(BufferSpan weights, BufferSpan gradient, BufferSpan velocity, SgdStep step)
    {
        var w = View(weights, nameof(weights));
        var g = View(gradient, nameof(gradient));
        var v = View(velocity, nameof(velocity));
        RequireSameLength(weights, nameof(weights), gradient, nameof(gradient));
        RequireSameLength(weights, nameof(weights), velocity, nameof(velocity));
        if (weights.Length > 0)
        {
            _kernels.MomentumSgd(weights.Length, w, g, v, SgdArguments.From(step));
        }
    }

    /// <inheritdoc />
    public double SumOfSquares(BufferSpan x)
    {
        var view = View(x, nameof(x));
        var items = Math.Min(x.Length, SumOfSquaresStride);
        if (items == 0)
        {
            return 0;
        }

        var partials = ArrayPool<double>.Shared.Rent(items);
        try
        {
            if (_hasFloat64)
            {
                var device = ScratchDoubles(items);
                _kernels.SumOfSquares(items, view, device, x.Length, SumOfSquaresStride);
                device.CopyToCPU(partials.AsSpan(0, items));
            }
            else
            {
                // No double precision on this OpenCL device: the same partition, summed on the host.
                var values = x.ToArray();
                Array.Clear(partials, 0, items);
                for (var i = 0; i < values.Length; i++)
                {
                    double value = values[i];
                    partials[i % SumOfSquaresStride] += value * value;
                }
            }

            var sum = 0.0;
            for (var t = 0; t < items; t++)
            {
                sum += partials[t];
            }

            return sum;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(partials);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Accelerator.Bind();
        _cuBlas?.Dispose();
        _treeFold?.Dispose();
        _scratchFloats?.Dispose();
        _scratchInts?.Dispose();
        _scratchDoubles?.Dispose();
        if (_ownsAccelerator)
        {
            Accelerator.Dispose();
        }

        _ownedContext?.Dispose();
    }

    /// <summary>The ILGPU view of a span, checking that it lives on this backend's accelerator.</summary>
    private ArrayView<float> View(BufferSpan span, string name)
    {
        ThrowIfDisposed();
        if (span.Buffer is not IlGpuBuffer buffer || !ReferenceEquals(buffer.Accelerator, Accelerator))
        {
            throw new ArgumentException($"{name} is not a buffer of this backend ({Name}); allocate it with this backend's Allocate.", name);
        }

        // CUDA contexts are per thread; callers (grains) may come in on any thread.
        Accelerator.Bind();

        // Ops return before launching anything on an empty span, so its (invalid) view is never used.
        return span.Length == 0 ? default : buffer.SubView(span.Offset, span.Length);
    }

    private static void RequireSameLength(BufferSpan first, string firstName, BufferSpan second, string secondName)
    {
        if (first.Length != second.Length)
        {
            throw new ArgumentException($"{firstName} has {first.Length} floats but {secondName} has {second.Length}; they must be equal.", secondName);
        }
    }

    /// <summary>Checks rows, cols ≥ 0 and that <paramref name="span"/> holds rows × cols floats.</summary>
    private static void RequireMatrix(BufferSpan span, string name, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if (span.Length < (long)rows * cols)
        {
            throw new ArgumentException($"{name} holds {span.Length} floats but a {rows}×{cols} matrix needs {(long)rows * cols}.", name);
        }
    }

    private ArrayView<float> ScratchFloats(int length) => Scratch(ref _scratchFloats, length);

    private ArrayView<int> ScratchInts(int length) => Scratch(ref _scratchInts, length);

    private ArrayView<double> ScratchDoubles(int length) => Scratch(ref _scratchDoubles, length);

    /// <summary>A grow-only device buffer reused between calls.</summary>
    private ArrayView<T> Scratch<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, int length)
        where T : unmanaged
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer?.Dispose();
            buffer = Accelerator.Allocate1D<T>(Math.Max(length, 256));
        }

        return buffer.View.SubView(0, length).AsContiguous();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
