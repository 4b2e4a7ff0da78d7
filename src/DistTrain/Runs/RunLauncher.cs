using DistTrain.Grains;
using DistTrain.Hosting;

namespace DistTrain.Runs;

/// <summary>
/// Starts a <see cref="TrainRequest"/> on a cluster: the run's coordinator grain gets the
/// <see cref="RunSpec"/>, and the run registry lists it. The console's <c>train</c> and
/// <see cref="Model.Fit"/> start their runs here.
/// </summary>
public static class RunLauncher
{
    /// <summary>
    /// Starts the run and registers it; returns its grain and the status <see cref="ITrainingRunGrain.Start"/>
    /// gave (which may be <see cref="RunState.Failed"/>: check it).
    /// </summary>
    public static async Task<(ITrainingRunGrain Run, RunStatus Started)> StartAsync(ClusterConnection cluster, TrainRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(request);
        if (request.CrossValidates)
        {
            throw new ArgumentException("A cross-validation request trains in this process, not on a cluster.", nameof(request));
        }

        var run = cluster.Grains.GetGrain<ITrainingRunGrain>(request.RunId);
        var started = await run.Start(request.ToRunSpec()).WaitAsync(cancellationToken).ConfigureAwait(false);
        await cluster.Grains.GetGrain<IRunRegistryGrain>(0).Register(request.RunId).WaitAsync(cancellationToken).ConfigureAwait(false);
        return (run, started);
    }

    /// <summary>Throws <see cref="DistTrainException"/> when <paramref name="started"/> says the run failed to start.</summary>
    public static void EnsureStarted(RunStatus started)
    {
        ArgumentNullException.ThrowIfNull(started);
        if (started.State == RunState.Failed)
        {
            throw new DistTrainException($"run '{started.RunId}' failed to start: {started.Error}");
        }
    }
}
