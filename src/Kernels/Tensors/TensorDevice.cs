using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;

namespace DistTrain.Kernels.Tensors;

/// <summary>
/// Where a tensor's operations run. <see cref="Cpu"/> is the default: host memory, TensorPrimitives
/// element-wise kernels and the CPU backend's packed SGEMM. A device made from another
/// <see cref="IComputeBackend"/> (an ILGPU accelerator) runs float32 <c>MatMul</c> there; every
/// other operation runs on the host copy (docs/TENSORS.md, "Devices").
/// </summary>
public sealed class TensorDevice
{
    private static readonly Lazy<TensorDevice> s_cpu = new(() => new TensorDevice(new CpuBackend(), "cpu"));

    private TensorDevice(IComputeBackend backend, string name)
    {
        Backend = backend;
        Name = name;
    }

    /// <summary>The host engine, shared by all tensors.</summary>
    public static TensorDevice Cpu => s_cpu.Value;

    /// <summary>The backend the device's matrix products run on.</summary>
    public IComputeBackend Backend { get; }

    /// <summary>The backend's name (<c>cpu</c>, <c>ilgpu-cuda</c>, …).</summary>
    public string Name { get; }

    /// <summary>True for the host engine.</summary>
    public bool IsCpu => Backend is CpuBackend;

    internal CpuBackend CpuBackend => (CpuBackend)Backend;

    /// <summary>A device over <paramref name="backend"/> (the caller keeps ownership and disposes it after its tensors).</summary>
    public static TensorDevice FromBackend(IComputeBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return new TensorDevice(backend, backend.Name);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
