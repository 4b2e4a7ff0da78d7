using DistTrain.Silo;

namespace DistTrain.Grains.Tests.Silo;

public sealed class DeviceDiscoveryTests
{
    [Fact]
    public void TheCpuBackendOffersTheConfiguredNumberOfCpuWorkers()
    {
        var catalog = DeviceDiscovery.Discover(new DeviceOptions { Backend = "cpu", CpuWorkers = 3, CpuThreads = 1 });

        Assert.Equal(["cpu:0", "cpu:1", "cpu:2"], catalog.Devices.Select(d => d.Id));
        using var backend = catalog.Get("cpu:1").CreateBackend();
        Assert.Equal("cpu", backend.Name);
        Assert.Contains("cpu:0, cpu:1, cpu:2", Assert.Throws<KeyNotFoundException>(() => catalog.Get("cuda:0")).Message);
    }
}
