using DistTrain.Grains.Devices;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;

namespace DistTrain.Silo;

/// <summary>Finds the compute devices of this machine for <see cref="DeviceOptions"/>.</summary>
public static class DeviceDiscovery
{
    /// <summary>
    /// The devices to offer: with <c>Backend = auto</c>, every GPU that
    /// <see cref="BackendFactory.Discover"/> lists (CUDA <c>cuda:i</c>, OpenCL <c>opencl:i</c>),
    /// one worker each; without GPUs, or with <c>Backend = cpu</c>,
    /// <see cref="DeviceOptions.CpuWorkers"/> CPU devices <c>cpu:i</c>. The parameter server
    /// always computes on the CPU engine: its update must be the local loop's, bit for bit.
    /// </summary>
    public static ComputeDeviceCatalog Discover(DeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int? threads = options.CpuThreads;
        var devices = new List<ComputeDevice>();
        if (options.Backend == "auto")
        {
            foreach (var device in BackendFactory.Discover().Where(d => d.Kind is BackendKind.Cuda or BackendKind.OpenCl))
            {
                string id = $"{(device.Kind == BackendKind.Cuda ? "cuda" : "opencl")}:{device.Index}";
                devices.Add(new ComputeDevice(id, $"{device.Name} ({device.MemoryBytes >> 20} MiB)", () => BackendFactory.Create(device)));
            }
        }

        if (devices.Count == 0)
        {
            devices.AddRange(Enumerable.Range(0, options.CpuWorkers)
                .Select(i => new ComputeDevice($"cpu:{i}", $"CPU engine {i} ({threads?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all"} threads)", () => new CpuBackend(threads))));
        }

        var server = new ComputeDevice("server", "CPU engine of the parameter server", () => new CpuBackend(threads));
        return new ComputeDeviceCatalog(devices, server);
    }
}
