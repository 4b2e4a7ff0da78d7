using DistTrain.Grains.Tests.Hosting;
using DistTrain.Silo;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>
/// Every test silo: two single-threaded CPU devices (so two silos give four workers), the
/// tests' checkpoint root, and membership timeouts short enough that a lost silo is noticed
/// in a few seconds.
/// </summary>
public sealed class DistTrainSiloConfigurator : ISiloConfigurator
{
    /// <summary>Checkpoints of every test run in this process (one directory per run id below it).</summary>
    public static readonly string CheckpointRoot = Path.Combine(Path.GetTempPath(), "disttrain-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <inheritdoc />
    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.AddDistTrainSilo(
            devices =>
            {
                devices.Backend = "cpu";
                devices.CpuWorkers = 2;
                devices.CpuThreads = 1;
            },
            coordinator =>
            {
                coordinator.CheckpointRoot = CheckpointRoot;
                coordinator.MaxStepRetries = 20;
            });
        siloBuilder.Configure<ClusterMembershipOptions>(FastFailureDetection.Configure);
    }
}
