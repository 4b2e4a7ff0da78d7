using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Backends.IlGpu;

namespace DistTrain.Kernels.Backends;

/// <summary>Chooses and creates the compute backend at start-up.</summary>
public static class BackendFactory
{
    /// <summary>
    /// Creates a backend. <see cref="BackendKind.Auto"/> takes the first CUDA GPU, else the
    /// first OpenCL GPU, else the managed CPU backend; it never picks ILGPU's CPU emulator.
    /// Any other kind creates exactly that backend (on its first device) or throws.
    /// </summary>
    /// <param name="kind">Which backend.</param>
    /// <param name="threads">Threads of the CPU backend (default: all cores); ILGPU backends ignore it.</param>
    /// <param name="ilGpuOptions">Settings of an ILGPU backend (default: <see cref="IlGpuBackendOptions"/>).</param>
    /// <exception cref="InvalidOperationException">The requested kind of device is not present.</exception>
    public static IComputeBackend Create(BackendKind kind, int? threads = null, IlGpuBackendOptions? ilGpuOptions = null)
    {
        switch (kind)
        {
            case BackendKind.Cpu:
                return new CpuBackend(threads);
            case BackendKind.Auto:
                return TryCreateIlGpu(BackendKind.Cuda, 0, ilGpuOptions)
                    ?? TryCreateIlGpu(BackendKind.OpenCl, 0, ilGpuOptions)
                    ?? new CpuBackend(threads);
            case BackendKind.Cuda:
            case BackendKind.OpenCl:
            case BackendKind.IlGpuCpu:
                return TryCreateIlGpu(kind, 0, ilGpuOptions) ?? throw NotPresent(kind, 0);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Unknown backend kind {(int)kind}.");
        }
    }

    /// <summary>Creates a backend on one device listed by <see cref="Discover"/> (one worker per GPU).</summary>
    /// <exception cref="InvalidOperationException">The device is no longer present.</exception>
    public static IComputeBackend Create(DeviceInfo device, int? threads = null, IlGpuBackendOptions? ilGpuOptions = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.Kind switch
        {
            BackendKind.Cpu => new CpuBackend(threads),
            BackendKind.Cuda or BackendKind.OpenCl or BackendKind.IlGpuCpu =>
                TryCreateIlGpu(device.Kind, device.Index, ilGpuOptions) ?? throw NotPresent(device.Kind, device.Index),
            _ => throw new ArgumentException($"{device.Kind} names no single device; pass a device from Discover().", nameof(device)),
        };
    }

    /// <summary>
    /// The devices a worker can train on: CUDA GPUs, OpenCL GPUs (without the OpenCL view of
    /// GPUs CUDA already lists), and the CPU. ILGPU's CPU emulator is not listed.
    /// </summary>
    public static IReadOnlyList<DeviceInfo> Discover()
    {
        var devices = new List<DeviceInfo>();
        using (var context = IlGpuDevices.CreateContext())
        {
            var cuda = IlGpuDevices.Of(context, BackendKind.Cuda);
            for (var i = 0; i < cuda.Count; i++)
            {
                devices.Add(new DeviceInfo(BackendKind.Cuda, i, cuda[i].Name, cuda[i].MemorySize));
            }

            var openCl = IlGpuDevices.Of(context, BackendKind.OpenCl);
            for (var i = 0; i < openCl.Count; i++)
            {
                if (cuda.Count == 0 || !IlGpuDevices.IsNvidiaOpenCl(openCl[i]))
                {
                    devices.Add(new DeviceInfo(BackendKind.OpenCl, i, openCl[i].Name, openCl[i].MemorySize));
                }
            }
        }

        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        devices.Add(new DeviceInfo(BackendKind.Cpu, 0, $"CPU ({Environment.ProcessorCount} threads)", memory));
        return devices;
    }

    private static IComputeBackend? TryCreateIlGpu(BackendKind kind, int index, IlGpuBackendOptions? options)
    {
        var context = IlGpuDevices.CreateContext();
        var devices = IlGpuDevices.Of(context, kind);
        if (index < 0 || index >= devices.Count)
        {
            context.Dispose();
            return null;
        }

        return IlGpuBackend.CreateOwned(context, devices[index], options);
    }

    private static InvalidOperationException NotPresent(BackendKind kind, int index)
    {
        var present = string.Join(", ", Discover().Select(d => $"{d.Kind} #{d.Index} {d.Name}"));
        var what = kind switch
        {
            BackendKind.Cuda => "CUDA GPU (NVIDIA driver with libcuda)",
            BackendKind.OpenCl => "OpenCL GPU (an OpenCL ICD for the GPU)",
            _ => $"{kind} device",
        };
        return new InvalidOperationException(
            $"Backend {kind} was requested but no {what} #{index} is present. Devices found: {present}. "
            + "Use BackendKind.Auto to fall back to the best device present, or BackendKind.Cpu.");
    }
}
