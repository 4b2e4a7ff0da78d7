using System.CommandLine;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Grains;
using Spectre.Console;

namespace DistTrain.Client.Commands;

/// <summary><c>disttrain list</c>: every run the cluster has seen, with its state.</summary>
internal static class ListCommand
{
    public static Command Create(CliConsole console, CliHooks hooks)
    {
        var json = CommandSupport.JsonOption();
        var connection = new ConnectionOptions();
        var command = new Command("list", "List the cluster's runs with their state and progress.") { json };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var cluster = await CommandSupport.ConnectAsync(connection.Read(parse), hooks, "list", parse.GetValue(json), cancellationToken);
            var ids = await cluster.Grains.GetGrain<IRunRegistryGrain>(0).List().WaitAsync(cancellationToken);
            var statuses = await Task.WhenAll(ids.Select(id => cluster.Grains.GetGrain<ITrainingRunGrain>(id).GetStatus())).WaitAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, new { runs = statuses });
                return ExitCodes.Success;
            }

            if (statuses.Length == 0)
            {
                console.Out.WriteLine("no runs");
                return ExitCodes.Success;
            }

            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumns("run", "state", "step", "epoch", "loss", "accuracy", "workers");
            foreach (var s in statuses)
            {
                table.AddRow(
                    Markup.Escape(s.RunId),
                    s.State.ToString().ToLowerInvariant(),
                    $"{s.Step}/{s.TotalSteps}",
                    $"{Math.Min(s.Epoch + 1, RunWatcher.EpochsOf(s))}/{RunWatcher.EpochsOf(s)}",
                    SummaryView.Number(s.LastLoss),
                    SummaryView.Percent(s.LastAccuracy),
                    s.Workers.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
