using System.CommandLine;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Client.Train;
using DistTrain.Grains;
using DistTrain.Kernels.Data;

namespace DistTrain.Client.Commands;

/// <summary>
/// <c>disttrain train</c>: resolves the run from preset, spec file and flags, starts it on
/// the embedded cluster (no <c>--cluster</c>) or on the gateways given, follows it with a
/// progress bar, evaluates the final weights on the validation and test splits and prints
/// the summary. With <c>--folds k</c> it cross-validates in this process instead
/// (<see cref="CrossValidationRunner"/>).
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliConsole console, CliHooks hooks)
    {
        var options = new TrainOptions();
        var connection = new ConnectionOptions();
        var command = new Command("train", "Train a model: from a preset, a run-spec JSON file or flags; embedded cluster unless --cluster.");
        options.AddTo(command);
        connection.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, options, connection, console, hooks, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, TrainOptions options, ConnectionOptions connection, CliConsole console, CliHooks hooks, CancellationToken cancellationToken)
    {
        var settings = connection.Read(parse);
        var json = parse.GetValue(options.Json);
        CommandSupport.RejectConsoleExporterWithJson(settings, json);
        var detach = parse.GetValue(options.Detach);
        if (detach && settings.Embedded)
        {
            throw new CliException("--detach needs --cluster: an embedded cluster ends with this process.", ExitCodes.Usage);
        }

        var provider = RunEvaluator.CreateProvider(message => console.Error.WriteLine(message), settings.Verbose);
        IDataSet? samples = null;
        var request = TrainRequestBuilder.Build(parse, options, data => samples = RunEvaluator.Load(provider, data, "train"));
        if (request.CrossValidates)
        {
            if (!settings.Embedded)
            {
                throw new CliException("--folds cannot be combined with --cluster: the folds train in this process with the local trainer.", ExitCodes.Usage);
            }

            var folds = CrossValidationRunner.Run(request, samples!, console, json, cancellationToken);
            CrossValidationRunner.Print(console, json, folds);
            return ExitCodes.Success;
        }

        using var evaluator = new RunEvaluator(request.ModelSpecJson, request.Data, request.ValidationSplit, provider);
        await using var cluster = await ClusterConnection.OpenAsync(settings, cancellationToken, hooks.ConfigureMetrics);
        var (run, started) = await RunLauncher.StartAsync(cluster, request, cancellationToken);
        hooks.RunStarted?.Invoke(request.RunId);
        RunLauncher.EnsureStarted(started);

        if (detach)
        {
            if (json)
            {
                JsonOutput.Write(console.Out, new { runId = request.RunId, state = started.State, totalSteps = started.TotalSteps });
            }
            else
            {
                console.Out.WriteLine($"started run {request.RunId} ({started.TotalSteps} steps); follow it with: disttrain watch {request.RunId} --cluster {settings.Describe()}");
            }

            return ExitCodes.Success;
        }

        if (!json)
        {
            console.Out.WriteLine($"run {request.RunId} on {(settings.Embedded ? "the embedded cluster" : settings.Describe())}: {request.Preset ?? "custom model"}, {request.Data}, {request.Epochs} epochs, batch {request.BatchSize}");
            console.Out.Flush();
        }

        var follower = new RunFollower(cluster, run, request.RunId, hooks.PollInterval)
        {
            BatchSize = request.BatchSize,
            Evaluator = evaluator,
            EarlyStopping = request.EarlyStoppingMonitor is { } monitor ? new EarlyStoppingTracker(new Kernels.Training.EarlyStopping(monitor, request.Patience)) : null,
        };
        var summary = await ProgressView.RunAsync(console, json, progress => follower.FollowAsync(progress, cancellationToken));
        RunSummaryOutput.Print(console, json, summary, follower.ValidationLogError);
        return summary.State == nameof(RunState.Failed) ? ExitCodes.Failure : ExitCodes.Success;
    }
}
