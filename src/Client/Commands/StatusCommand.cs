using System.CommandLine;
using System.Globalization;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Grains;
using Spectre.Console;

namespace DistTrain.Client.Commands;

/// <summary><c>disttrain status RUN</c>: one snapshot of a run.</summary>
internal static class StatusCommand
{
    public static Command Create(CliConsole console, CliHooks hooks)
    {
        var run = CommandSupport.RunArgument();
        var json = CommandSupport.JsonOption();
        var connection = new ConnectionOptions();
        var command = new Command("status", "Show where a run is: state, step, epoch, loss, accuracy, workers.") { run, json };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(run)!;
            await using var cluster = await CommandSupport.ConnectAsync(connection.Read(parse), hooks, "status", parse.GetValue(json), cancellationToken);
            var status = await cluster.Grains.GetGrain<ITrainingRunGrain>(id).GetStatus().WaitAsync(cancellationToken);
            if (status.State == RunState.NotStarted)
            {
                throw new CliException($"run '{id}' does not exist.");
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, status);
            }
            else
            {
                Render(console.Ansi, status);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    internal static void Render(IAnsiConsole ansi, RunStatus status)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("run", Markup.Escape(status.RunId));
        grid.AddRow("state", status.State.ToString().ToLowerInvariant());
        grid.AddRow("step", $"{status.Step} / {status.TotalSteps}");
        grid.AddRow("epoch", $"{Math.Min(status.Epoch + 1, Math.Max(1, RunEpochs(status)))} / {RunEpochs(status)}");
        grid.AddRow("last loss / accuracy", $"{SummaryView.Number(status.LastLoss)} / {SummaryView.Percent(status.LastAccuracy)}");
        grid.AddRow("workers", status.Workers.ToString(CultureInfo.InvariantCulture));
        grid.AddRow("skipped / clipped steps", $"{status.SkippedSteps} / {status.ClippedSteps}");
        if (status.LastCheckpoint is not null)
        {
            grid.AddRow("checkpoint", Markup.Escape(status.LastCheckpoint));
        }

        if (status.LogDirectory is not null)
        {
            grid.AddRow("TensorBoard log", Markup.Escape(status.LogDirectory));
        }

        if (status.CoordinatorSilo is not null)
        {
            grid.AddRow("coordinator", Markup.Escape(status.CoordinatorSilo));
        }

        if (status.Error is not null)
        {
            grid.AddRow("error", Markup.Escape(status.Error));
        }

        ansi.Write(grid);
    }

    private static int RunEpochs(RunStatus status) => RunWatcher.EpochsOf(status);
}
