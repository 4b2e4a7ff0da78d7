using System.CommandLine;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Grains;
using DistTrain.TensorBoard;

namespace DistTrain.Client.Commands;

/// <summary>
/// <c>disttrain plot RUN|--logdir DIR</c>: PNG and SVG charts of a run's TensorBoard log
/// (<see cref="RunCharts"/>), one path per line on standard output. RUN asks the run's
/// coordinator (<c>--cluster</c>) where its log is; without a cluster it is the embedded
/// default, <c>~/.disttrain/checkpoints/RUN/logs</c>.
/// </summary>
internal static class PlotCommand
{
    public static Command Create(CliConsole console, CliHooks hooks)
    {
        var run = new Argument<string?>("run") { Description = "The run id: its coordinator (--cluster) names its log; without --cluster, the embedded default ~/.disttrain/checkpoints/RUN/logs.", Arity = ArgumentArity.ZeroOrOne };
        var logDir = new Option<string?>("--logdir") { Description = "A TensorBoard log directory (instead of RUN).", HelpName = "dir" };
        var output = new Option<string?>("--out", "-o") { Description = "Where the charts go (default: plots in the log directory).", HelpName = "dir" };
        var width = new Option<int>("--width") { Description = "Chart width in pixels.", DefaultValueFactory = _ => 800 };
        var height = new Option<int>("--height") { Description = "Chart height in pixels.", DefaultValueFactory = _ => 500 };
        var connection = new ConnectionOptions();
        var command = new Command("plot", "Chart a run's loss and accuracy per epoch (train and validation) and each worker's step time, as PNG and SVG.") { run, logDir, output, width, height };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (w, h) = (parse.GetValue(width), parse.GetValue(height));
            if (w is < 64 or > 10_000 || h is < 64 or > 10_000)
            {
                throw new CliException($"--width and --height must be 64-10000 pixels, got {w} x {h}.", ExitCodes.Usage);
            }

            var directory = await LogDirectoryAsync(parse.GetValue(run), parse.GetValue(logDir), connection.Read(parse), hooks, cancellationToken);
            var log = ScalarLog.Load(directory);
            if (log.IsEmpty)
            {
                throw new CliException($"no TensorBoard scalars under {directory}.");
            }

            var files = RunCharts.Write(log, Path.GetFullPath(parse.GetValue(output) ?? Path.Combine(directory, "plots")), w, h);
            foreach (var file in files)
            {
                console.Out.WriteLine(file);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<string> LogDirectoryAsync(string? run, string? logDir, ConnectionSettings settings, CliHooks hooks, CancellationToken cancellationToken)
    {
        if ((run is null) == (logDir is null))
        {
            throw new CliException("plot needs a run id or --logdir DIR (one of them).", ExitCodes.Usage);
        }

        if (logDir is not null)
        {
            return Existing(Path.GetFullPath(logDir), "--logdir");
        }

        if (settings.Embedded)
        {
            return Existing(Path.Combine(EmbeddedSilo.CheckpointRoot, run!, "logs"), $"run '{run}' on the embedded cluster (give --logdir for a run with its own --logdir or --checkpoint-dir, --cluster for a cluster's run)");
        }

        await using var cluster = await CommandSupport.ConnectAsync(settings, hooks, "plot", json: false, cancellationToken);
        var status = await cluster.Grains.GetGrain<ITrainingRunGrain>(run!).GetStatus().WaitAsync(cancellationToken);
        if (status.State == RunState.NotStarted || status.LogDirectory is null)
        {
            throw new CliException($"run '{run}' does not exist.");
        }

        return Existing(status.LogDirectory, $"run '{run}' (the coordinator's path; plot reads it from this machine)");
    }

    private static string Existing(string directory, string what) =>
        Directory.Exists(directory) ? directory : throw new CliException($"no TensorBoard log at {directory} for {what}.");
}
