using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Backends.IlGpu;
using DistTrain.Kernels.Tests.Backends.IlGpu;

namespace DistTrain.Kernels.Tests.Backends;

public sealed class BackendFactoryTests
{
    [Fact]
    public void AutoPicksCudaThenOpenClThenTheCpuBackend()
    {
        var expected = DevicePresence.Has(BackendKind.Cuda) ? "ilgpu-cuda"
            : DevicePresence.Has(BackendKind.OpenCl) ? "ilgpu-opencl"
            : "cpu";
        using var backend = BackendFactory.Create(BackendKind.Auto, threads: 1);
        Assert.Equal(expected, backend.Name);
    }

    [Fact]
    public void CpuGetsTheRequestedThreadCount()
    {
        using var backend = BackendFactory.Create(BackendKind.Cpu, threads: 2);
        Assert.Equal(2, Assert.IsType<CpuBackend>(backend).MaxThreads);
    }

    [Fact]
    public void IlGpuCpuGivesTheEmulatorOnlyWhenAskedFor()
    {
        using var backend = BackendFactory.Create(BackendKind.IlGpuCpu);
        Assert.Equal("ilgpu-cpu", backend.Name);
        using var buffer = backend.Allocate(3);
        backend.Fill(buffer, 1.5f);
        Assert.Equal([1.5f, 1.5f, 1.5f], buffer.ToArray());
        Assert.DoesNotContain(BackendFactory.Discover(), device => device.Kind == BackendKind.IlGpuCpu);
    }

    [NoDeviceFact(BackendKind.Cuda)]
    public void AskingForCudaWithoutACudaDeviceSaysSoAndWhatToDoInstead()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => BackendFactory.Create(BackendKind.Cuda));
        Assert.Contains("no CUDA GPU", ex.Message, StringComparison.Ordinal);
        Assert.Contains("BackendKind.Auto", ex.Message, StringComparison.Ordinal);
    }

    [NoDeviceFact(BackendKind.OpenCl)]
    public void AskingForOpenClWithoutAnOpenClGpuSaysSo()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => BackendFactory.Create(BackendKind.OpenCl));
        Assert.Contains("no OpenCL GPU", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DiscoverListsTheCpuLastWithItsMemory()
    {
        var devices = BackendFactory.Discover();
        var cpu = Assert.Single(devices, device => device.Kind == BackendKind.Cpu);
        Assert.Same(cpu, devices[^1]);
        Assert.True(cpu.MemoryBytes > 0);
        Assert.Equal(DevicePresence.Has(BackendKind.Cuda), devices.Any(device => device.Kind == BackendKind.Cuda));
    }

    [Fact]
    public void EveryDiscoveredDeviceCanBeOpened()
    {
        foreach (var device in BackendFactory.Discover())
        {
            using var backend = BackendFactory.Create(device, threads: 1);
            Assert.Equal(device.Kind == BackendKind.Cpu ? "cpu" : device.Kind == BackendKind.Cuda ? "ilgpu-cuda" : "ilgpu-opencl", backend.Name);
        }
    }

    [Fact]
    public void AnUnknownKindIsRejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => BackendFactory.Create((BackendKind)42));
        Assert.Equal("kind", ex.ParamName);
        Assert.Throws<InvalidOperationException>(() => BackendFactory.Create(new DeviceInfo(BackendKind.Cuda, 99, "gone", 0)));
    }

    [Fact]
    public void CuBlasIsOnlyTriedOnCuda()
    {
        using var backend = (IlGpuBackend)BackendFactory.Create(BackendKind.IlGpuCpu, ilGpuOptions: new IlGpuBackendOptions { DeterministicGemm = false });
        Assert.StartsWith("tiled kernel", backend.GemmImplementation, StringComparison.Ordinal);
    }
}
