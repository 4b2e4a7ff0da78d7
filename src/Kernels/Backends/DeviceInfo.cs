namespace DistTrain.Kernels.Backends;

/// <summary>One compute device found by <see cref="BackendFactory.Discover"/>.</summary>
/// <param name="Kind">The backend that drives it.</param>
/// <param name="Index">Its position among the devices of the same <paramref name="Kind"/> (0 for the CPU).</param>
/// <param name="Name">The name the driver reports.</param>
/// <param name="MemoryBytes">Device memory (for the CPU: the memory available to this process).</param>
public sealed record DeviceInfo(BackendKind Kind, int Index, string Name, long MemoryBytes);
