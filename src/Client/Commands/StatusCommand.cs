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
            var grain = cluster.Grains.GetGrain<ITrainingRunGrain>(id);
            var status = await grain.GetStatus().WaitAsync(cancellationToken);
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
                var last = status.Step > 0 ? (await grain.GetReports(afterStep: status.Step - 2).WaitAsync(cancellationToken)).LastOrDefault() : null;
                if (last is { Stragglers.Count: > 0 })
                {
                    RenderWorkers(console.Ansi, last);
                }
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

    /// <summary>
    /// The last step's time per worker, slowest first: where a straggler's time went (its
    /// compute, waiting for weights, waiting for its pushes) and what it sent between silos.
    /// </summary>
    internal static void RenderWorkers(IAnsiConsole ansi, StepReport report)
    {
        var table = new Table().Border(TableBorder.Simple).Title($"step {report.Step}: {SummaryView.Number(report.Milliseconds)} ms");
        table.AddColumns("worker", "round trip ms", "compute ms", "weights wait ms", "push wait ms", "between silos");
        foreach (var (w, i) in report.Stragglers!.OrderByDescending(w => w.Milliseconds).Select((w, i) => (w, i)))
        {
            string name = Markup.Escape(w.WorkerKey);
            table.AddRow(
                i == 0 && report.Stragglers!.Count > 1 ? $"[yellow]{name}[/]" : name,
                Ms(w.Milliseconds), Ms(w.ComputeMilliseconds), Ms(w.PullWaitMilliseconds), Ms(w.PushWaitMilliseconds),
                Bytes(w.WireBytes));
        }

        ansi.Write(table);
    }

    private static string Ms(double milliseconds) => milliseconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0 'KiB'", CultureInfo.InvariantCulture),
        _ => (bytes / (1024.0 * 1024)).ToString("0.0 'MiB'", CultureInfo.InvariantCulture),
    };

    private static int RunEpochs(RunStatus status) => RunWatcher.EpochsOf(status);
}
