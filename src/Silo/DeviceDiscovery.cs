using DistTrain.Grains.Devices;
using DistTrain.Kernels.Backends.Cpu;

namespace DistTrain.Silo;

/// <summary>Finds the compute devices of this machine for <see cref="DeviceOptions"/>.</summary>
public static class DeviceDiscovery
{
    /// <summary>
    /// The devices to offer: the accelerators found when <c>Backend</c> is <c>auto</c> and
    /// there are any, otherwise <see cref="DeviceOptions.CpuWorkers"/> CPU devices. The
    /// parameter server always computes on the CPU engine, whose update is the local loop's.
    /// </summary>
    public static ComputeDeviceCatalog Discover(DeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int? threads = options.CpuThreads;
        var devices = Enumerable.Range(0, options.CpuWorkers)
            .Select(i => new ComputeDevice($"cpu:{i}", $"CPU engine {i} ({threads?.ToString() ?? "all"} threads)", () => new CpuBackend(threads)))
            .ToList();
        var server = new ComputeDevice("server", "CPU engine of the parameter server", () => new CpuBackend(threads));
        return new ComputeDeviceCatalog(devices, server);
    }
}
