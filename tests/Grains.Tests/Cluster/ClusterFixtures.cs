using DistTrain.Grains.Devices;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Backends.IlGpu;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>An in-process test cluster of <c>n</c> DistTrain silos, started once per xunit collection.</summary>
public abstract class ClusterFixture(int silos) : IAsyncLifetime
{
    /// <summary>The cluster.</summary>
    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>A client of the cluster.</summary>
    public IGrainFactory Grains => Cluster.Client;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder((short)silos);
        builder.AddSiloBuilderConfigurator<DistTrainSiloConfigurator>();
        Configure(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Adds to the silos' set-up (after <see cref="DistTrainSiloConfigurator"/>).</summary>
    protected virtual void Configure(TestClusterBuilder builder)
    {
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>One silo with two CPU devices.</summary>
public sealed class OneSiloFixture() : ClusterFixture(1);

/// <summary>Two silos with two CPU devices each.</summary>
public sealed class TwoSiloFixture() : ClusterFixture(2);

/// <summary>One silo to which each fault test adds the silo it then stops or kills.</summary>
public sealed class FaultFixture() : ClusterFixture(1);

/// <summary>
/// One silo whose only worker device is a device engine (ILGPU on its CPU emulator): device
/// memory, as a GPU worker has, beside the silo's CPU parameter-server slices.
/// </summary>
public sealed class EmulatedDeviceSiloFixture() : ClusterFixture(1)
{
    /// <inheritdoc />
    protected override void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<EmulatedDeviceConfigurator>();

    private sealed class EmulatedDeviceConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.Services.AddSingleton(new ComputeDeviceCatalog(
                [new ComputeDevice("ilgpu-cpu:0", "ILGPU CPU emulator", () => IlGpuBackend.CreateCpuEmulator())],
                new ComputeDevice("server", "CPU engine of the parameter server", () => new CpuBackend(1))));
    }
}

/// <summary>Tests owning <see cref="EmulatedDeviceSiloFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class EmulatedDeviceCollection : ICollectionFixture<EmulatedDeviceSiloFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "emulated device";
}

/// <summary>Tests sharing <see cref="OneSiloFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class OneSiloCollection : ICollectionFixture<OneSiloFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "one silo";
}

/// <summary>Tests sharing <see cref="TwoSiloFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TwoSiloCollection : ICollectionFixture<TwoSiloFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "two silos";
}

/// <summary>Tests owning <see cref="FaultFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "fault";
}

/// <summary>
/// Tests that start <c>DistTrain.Silo</c> processes: they run one after another, so two
/// process starts (seconds of JIT each on a small machine) do not compete.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SiloProcessCollection
{
    /// <summary>Collection name.</summary>
    public const string Name = "silo processes";
}
