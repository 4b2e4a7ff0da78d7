using System.CommandLine;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Grains;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Onnx;
using DistTrain.Kernels.Saving;
using DistTrain.Kernels.Training;

namespace DistTrain.Client.Commands;

/// <summary>
/// <c>disttrain export</c>: a run's or a checkpoint's model as one file, DistTrain's own
/// (<see cref="ModelStore"/>, architecture + weights, + optimiser state when asked) or ONNX
/// for serving (<see cref="OnnxExporter"/>).
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliConsole console, CliHooks hooks)
    {
        var run = new Argument<string?>("run") { Description = "A run on the cluster (needs --cluster); or give --checkpoint.", Arity = ArgumentArity.ZeroOrOne };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A checkpoint file instead of a run.", HelpName = "file" };
        var format = new Option<string>("--format") { Description = "native (DistTrain model file, Model.Load) or onnx.", DefaultValueFactory = _ => "native" };
        var output = new Option<string>("--output", "-o") { Description = "File to write.", Required = true, HelpName = "file" };
        var optimizer = new Option<bool>("--include-optimizer") { Description = "native: also save the optimiser and its state (from the checkpoint), to train on from the file." };
        var logits = new Option<bool>("--logits") { Description = "onnx: output the logits instead of the softmax (or sigmoid) probabilities." };
        var json = CommandSupport.JsonOption();
        var connection = new ConnectionOptions();
        var command = new Command("export", "Write a run's or a checkpoint's model to one file: DistTrain's format or ONNX.");
        command.Add(run);
        foreach (var option in new Option[] { checkpoint, format, output, optimizer, logits, json })
        {
            command.Add(option);
        }

        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var asJson = parse.GetValue(json);
            var kind = parse.GetValue(format)!.ToLowerInvariant();
            if (kind is not ("native" or "onnx"))
            {
                throw new CliException($"--format must be native or onnx, got '{kind}'.", ExitCodes.Usage);
            }

            var includeOptimizer = parse.GetValue(optimizer);
            if (includeOptimizer && kind == "onnx")
            {
                throw new CliException("--include-optimizer applies to --format native only.", ExitCodes.Usage);
            }

            if (parse.GetValue(logits) && kind == "native")
            {
                throw new CliException("--logits applies to --format onnx only.", ExitCodes.Usage);
            }

            var (model, description) = await ResolveAsync(parse.GetValue(run), parse.GetValue(checkpoint), includeOptimizer, connection.Read(parse), hooks, asJson, cancellationToken);
            var path = Path.GetFullPath(parse.GetValue(output)!);
            try
            {
                if (kind == "onnx")
                {
                    OnnxExporter.Save(path, model.Spec, model.Weights, new OnnxExportOptions { OutputActivation = !parse.GetValue(logits) });
                }
                else
                {
                    ModelStore.Save(path, model);
                }
            }
            catch (Exception e) when (e is ModelFileException or NotSupportedException or IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot export to '{path}': {DistTrainCli.OneLine(e.Message)}");
            }

            var bytes = new FileInfo(path).Length;
            if (asJson)
            {
                JsonOutput.Write(console.Out, new { model = description, format = kind, path, bytes, parameters = model.Weights.Length, optimizer = model.Optimizer?.Spec.Kind.ToString() });
            }
            else
            {
                var extra = model.Optimizer is { } o ? $", with the {o.Spec.Kind} state of step {o.Step}" : string.Empty;
                console.Out.WriteLine($"{description}: {model.Weights.Length:N0} parameters{extra} written as {kind} to {path} ({bytes:N0} bytes).");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<(SavedModel Model, string Description)> ResolveAsync(string? runId, string? checkpointPath, bool includeOptimizer, ConnectionSettings settings, CliHooks hooks, bool json, CancellationToken cancellationToken)
    {
        if ((runId is null) == (checkpointPath is null))
        {
            throw new CliException("give either a run id or --checkpoint FILE.", ExitCodes.Usage);
        }

        if (checkpointPath is not null)
        {
            var path = Path.GetFullPath(checkpointPath);
            return (FromCheckpoint(LoadCheckpoint(path), path, includeOptimizer), $"checkpoint {checkpointPath}");
        }

        await using var cluster = await CommandSupport.ConnectAsync(settings, hooks, "a run id", json, cancellationToken);
        var grain = cluster.Grains.GetGrain<ITrainingRunGrain>(runId!);
        var spec = await grain.GetSpec().WaitAsync(cancellationToken)
            ?? throw new CliException($"run '{runId}' does not exist.");
        var status = await grain.GetStatus().WaitAsync(cancellationToken);
        var last = status.LastCheckpoint is { } file && File.Exists(file) ? file : null;
        if (includeOptimizer)
        {
            // The optimiser state is read from the run's checkpoint, with the weights of the same step.
            if (last is null)
            {
                throw new CliException($"run '{runId}' has no checkpoint to take the optimiser state from.");
            }

            var saved = LoadCheckpoint(last);
            return (FromCheckpoint(saved, last, includeOptimizer: true), $"run {runId} (checkpoint of step {saved.Step})");
        }

        var weights = await grain.GetWeights().WaitAsync(cancellationToken) ?? (last is null ? null : LoadCheckpoint(last).Weights)
            ?? throw new CliException($"run '{runId}' has no weights to read (state {status.State.ToString().ToLowerInvariant()}, checkpoint {status.LastCheckpoint ?? "none"}).");
        return (new SavedModel(ModelSpec.FromJson(spec.ModelSpecJson), weights), $"run {runId} (step {status.Step})");
    }

    /// <summary>Reads a checkpoint file with a one-line error when it is missing or damaged.</summary>
    private static Checkpoint LoadCheckpoint(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"checkpoint '{path}' does not exist.");
        }

        try
        {
            return CheckpointStore.Load(path);
        }
        catch (CheckpointException ex)
        {
            throw new CliException($"checkpoint '{path}' is unreadable: {DistTrainCli.OneLine(ex.Message)}", ExitCodes.Failure, ex);
        }
    }

    private static SavedModel FromCheckpoint(Checkpoint checkpoint, string path, bool includeOptimizer)
    {
        try
        {
            return SavedModel.FromCheckpoint(checkpoint, includeOptimizer);
        }
        catch (Exception e) when (e is ModelFileException or FormatException)
        {
            throw new CliException($"checkpoint '{path}' cannot be exported: {DistTrainCli.OneLine(e.Message)}");
        }
    }
}
