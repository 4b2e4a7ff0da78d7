using DistTrain.Kernels.Backends;

namespace DistTrain.Grains.Devices;

/// <summary>A compute device of this silo and how to open an engine on it.</summary>
/// <param name="Id">Id unique within the silo, for example <c>cpu:0</c> or <c>cuda:1</c>.</param>
/// <param name="Description">What the device is, for people.</param>
/// <param name="CreateBackend">Opens a backend on the device (called once per worker activation).</param>
public sealed record ComputeDevice(string Id, string Description, Func<IComputeBackend> CreateBackend);
