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
        Cluster = builder.Build();
        await Cluster.DeployAsync();
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
