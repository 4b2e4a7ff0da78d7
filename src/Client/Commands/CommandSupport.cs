using System.CommandLine;
using DistTrain.Client.Cli;

namespace DistTrain.Client.Commands;

/// <summary>Helpers the commands share: the run-id argument, the <c>--json</c> flag, connecting.</summary>
internal static class CommandSupport
{
    public static Argument<string> RunArgument() => new("run")
    {
        Description = "The run id (as `train` printed it or `list` shows it).",
    };

    /// <summary>An optional file argument that rejects an unknown <c>--flag</c> instead of taking it for a file name.</summary>
    public static Argument<string?> OptionalFileArgument(string name, string description) => new(name)
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrOne,
        Validators =
        {
            result =>
            {
                if (result.Tokens is [{ Value: ['-', ..] value }])
                {
                    result.AddError($"Unrecognized option '{value}'.");
                }
            },
        },
    };

    public static Option<bool> JsonOption() => new("--json")
    {
        Description = "Print the result as one JSON object on standard output.",
    };

    /// <summary>
    /// Connects to the cluster the flags name. Commands about existing runs need a running
    /// cluster: an embedded one lives only as long as its <c>train</c> process.
    /// </summary>
    public static Task<ClusterConnection> ConnectAsync(ConnectionSettings settings, CliHooks hooks, string command, bool json, CancellationToken cancellationToken)
    {
        if (settings.Embedded)
        {
            throw new CliException(
                $"{command} needs --cluster host:port (or ${ConnectionOptions.ClusterVariable}): runs on an embedded cluster end with their `train` process.",
                ExitCodes.Usage);
        }

        RejectConsoleExporterWithJson(settings, json);
        return ClusterConnection.OpenAsync(settings, cancellationToken, hooks.ConfigureMetrics);
    }

    public static void RejectConsoleExporterWithJson(ConnectionSettings settings, bool json)
    {
        if (json && settings.OtelConsole)
        {
            throw new CliException("--otel-console writes to standard output and cannot be combined with --json.", ExitCodes.Usage);
        }
    }
}
