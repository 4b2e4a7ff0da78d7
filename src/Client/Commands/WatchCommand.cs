using System.CommandLine;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Grains;

namespace DistTrain.Client.Commands;

/// <summary>
/// <c>disttrain watch RUN</c>: re-attaches to a run (the run never depends on a client),
/// shows its progress until it ends and prints the same summary as <c>train</c>.
/// </summary>
internal static class WatchCommand
{
    public static Command Create(CliConsole console, CliHooks hooks)
    {
        var run = CommandSupport.RunArgument();
        var json = CommandSupport.JsonOption();
        var connection = new ConnectionOptions();
        var command = new Command("watch", "Re-attach to a run: live progress until it ends, then its summary.") { run, json };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(run)!;
            var asJson = parse.GetValue(json);
            var settings = connection.Read(parse);
            await using var cluster = await CommandSupport.ConnectAsync(settings, hooks, "watch", asJson, cancellationToken);
            var grain = cluster.Grains.GetGrain<ITrainingRunGrain>(id);
            var (status, spec) = await RunWatcher.AttachAsync(grain, hooks.PollInterval, RunWatcher.DefaultStatusOutageLimit, console.Error.WriteLine, cancellationToken);
            if (status.State == RunState.NotStarted)
            {
                throw new CliException($"run '{id}' does not exist.");
            }

            using var evaluator = spec is null ? null : RunEvaluator.ForRunSpec(spec, RunEvaluator.CreateProvider(message => console.Error.WriteLine(message), settings.Verbose));
            var follower = new RunFollower(cluster, grain, id, hooks.PollInterval) { BatchSize = spec?.BatchSize, Evaluator = evaluator };
            var summary = await ProgressView.RunAsync(console, asJson, progress => follower.FollowAsync(progress, cancellationToken));
            RunSummaryOutput.Print(console, asJson, summary, follower.ValidationLogError);
            return summary.State == nameof(RunState.Failed) ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }
}
