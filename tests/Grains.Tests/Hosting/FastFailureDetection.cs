using Orleans.Configuration;

namespace DistTrain.Grains.Tests.Hosting;

/// <summary>
/// Membership settings of the test silos: a silo that stops answering is voted dead after two
/// missed one-second probes (instead of Orleans' defaults, which take tens of seconds), so
/// fault tests see a kill handled in a few seconds.
/// </summary>
public static class FastFailureDetection
{
    /// <summary>The same settings as the command-line keys a user gives <c>DistTrain.Silo</c>.</summary>
    public static IReadOnlyList<string> Args { get; } =
    [
        "--DistTrain:Cluster:Membership:ProbeTimeout=00:00:01",
        "--DistTrain:Cluster:Membership:NumMissedProbesLimit=2",
        "--DistTrain:Cluster:Membership:NumVotesForDeathDeclaration=1",
        "--DistTrain:Cluster:Membership:TableRefreshTimeout=00:00:01",
        "--DistTrain:Cluster:Membership:IAmAliveTablePublishTimeout=00:00:02",
    ];

    /// <summary>Applies the settings.</summary>
    public static void Configure(ClusterMembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ProbeTimeout = TimeSpan.FromSeconds(1);
        options.NumMissedProbesLimit = 2;
        options.NumVotesForDeathDeclaration = 1;
        options.TableRefreshTimeout = TimeSpan.FromSeconds(1);
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
    }
}
