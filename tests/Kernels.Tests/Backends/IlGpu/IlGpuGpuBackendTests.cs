using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.IlGpu;
using ILGPU;
using ILGPU.Runtime;

namespace DistTrain.Kernels.Tests.Backends.IlGpu;

/// <summary>The backend contract on the first CUDA GPU; skipped where there is none.</summary>
public sealed class IlGpuCudaBackendTests
{
    private static readonly Lazy<Accelerator> SharedAccelerator = new(() => GpuAccelerators.Open(BackendKind.Cuda));

    [DeviceTheory(BackendKind.Cuda)]
    [MemberData(nameof(ContractCases.Names), MemberType = typeof(ContractCases))]
    public void TheBackendContractHolds(string test) =>
        ContractCases.Run(test, () => new Contract(() => new IlGpuBackend(SharedAccelerator.Value)));

    [DeviceTheory(BackendKind.Cuda)]
    [MemberData(nameof(ContractCases.GemmNamesWithoutRowInvariance), MemberType = typeof(ContractCases))]
    public void TheGemmContractHoldsWithCuBlas(string test)
    {
        var options = new IlGpuBackendOptions { DeterministicGemm = false };
        ContractCases.Run(test, () => new Contract(() =>
        {
            var backend = new IlGpuBackend(SharedAccelerator.Value, options);
            Assert.StartsWith("cuBLAS", backend.GemmImplementation, StringComparison.Ordinal);
            return backend;
        }));
    }

    [DeviceFact(BackendKind.Cuda)]
    public void TheFactoryPicksCudaFirst()
    {
        using var backend = BackendFactory.Create(BackendKind.Auto);
        Assert.Equal("ilgpu-cuda", backend.Name);
    }
}

/// <summary>The backend contract on the first OpenCL GPU; skipped where there is none.</summary>
public sealed class IlGpuOpenClBackendTests
{
    private static readonly Lazy<Accelerator> SharedAccelerator = new(() => GpuAccelerators.Open(BackendKind.OpenCl));

    [DeviceTheory(BackendKind.OpenCl)]
    [MemberData(nameof(ContractCases.Names), MemberType = typeof(ContractCases))]
    public void TheBackendContractHolds(string test) =>
        ContractCases.Run(test, () => new Contract(() => new IlGpuBackend(SharedAccelerator.Value)));
}

/// <summary>The suite bound to a backend factory (private to the GPU bindings, so xunit does not run it on its own).</summary>
internal sealed class Contract(Func<IComputeBackend> create) : BackendContractTests
{
    protected override IComputeBackend CreateBackend() => create();
}

/// <summary>Accelerators shared by every test of a GPU binding, kept for the whole run.</summary>
internal static class GpuAccelerators
{
    public static Accelerator Open(BackendKind kind)
    {
        var context = IlGpuDevices.CreateContext();
        return IlGpuDevices.Of(context, kind)[0].CreateAccelerator(context);
    }
}
