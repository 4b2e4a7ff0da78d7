using System.Net;
using DistTrain.Grains.Placement;
using Orleans.Runtime;

namespace DistTrain.Grains.Tests.Planning;

public sealed class SiloPinnedKeyTests
{
    [Fact]
    public void AWorkerKeyNamesItsSiloAndDevice()
    {
        var silo = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 123456);

        string key = SiloPinnedKey.For(silo, "cuda:1");

        Assert.Equal(silo, SiloPinnedKey.SiloOf(key));
        Assert.Equal("cuda:1", SiloPinnedKey.DeviceOf(key));
        Assert.Equal(silo, SiloPinnedKey.SiloOf(SiloPinnedKey.For(silo)));
    }

    [Fact]
    public void ASiloRestartedOnTheSameEndpointIsAnotherSilo()
    {
        var before = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
        var after = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 2);

        Assert.NotEqual(SiloPinnedKey.SiloOf(SiloPinnedKey.For(before, "cpu:0")), after);
    }

    [Fact]
    public void AKeyWithoutASiloAddressIsRejectedClearly()
    {
        var e = Assert.Throws<ArgumentException>(() => SiloPinnedKey.SiloOf("not-a-silo/cpu:0"));
        Assert.Contains("silo address", e.Message);
        Assert.Throws<ArgumentException>(() => SiloPinnedKey.DeviceOf("127.0.0.1:11111@1"));
    }
}
