using OpenTelemetry.Metrics;

namespace DistTrain.Client.Cli;

/// <summary>
/// Seams for in-process callers (tests): extra metric readers and timing. The defaults are
/// what the <c>disttrain</c> executable uses.
/// </summary>
public sealed class CliHooks
{
    /// <summary>Adds readers or exporters to the client's meter provider (tests add the in-memory exporter).</summary>
    public Action<MeterProviderBuilder>? ConfigureMetrics { get; init; }

    /// <summary>How often a watched run's status is polled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Called with the run id as soon as a run has been started.</summary>
    public Action<string>? RunStarted { get; init; }
}
