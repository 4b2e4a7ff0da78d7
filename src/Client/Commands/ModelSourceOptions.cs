using System.CommandLine;
using DistTrain.Client.Cli;
using DistTrain.Client.Train;
using DistTrain.Grains;

namespace DistTrain.Client.Commands;

/// <summary>Trained weights and the evaluator that uses them, for <c>evaluate</c> and <c>predict</c>.</summary>
internal sealed record ModelSource(RunEvaluator Evaluator, float[] Weights, string Description) : IDisposable
{
    public void Dispose() => Evaluator.Dispose();
}

/// <summary>
/// Where <c>evaluate</c> and <c>predict</c> take a model from: a run on a cluster (its
/// current or final weights, its data) or a checkpoint file (with the data named by flags).
/// </summary>
internal sealed class ModelSourceOptions
{
    public Argument<string?> Run { get; } = new("run")
    {
        Description = "A run on the cluster (needs --cluster); or give --checkpoint.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<string?> Checkpoint { get; } = new("--checkpoint") { Description = "A checkpoint file instead of a run.", HelpName = "file" };
    public Option<string?> Dataset { get; } = new("--dataset") { Description = $"Data set: {string.Join(", ", DataSetReference.KnownNames)} (default: the run's)." };
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Data-set cache directory.", HelpName = "dir" };
    public Option<string?> Csv { get; } = new("--csv") { Description = "CSV file (implies --dataset csv).", HelpName = "file" };
    public Option<string?> Target { get; } = new("--target") { Description = "CSV target column (default: the last).", HelpName = "column" };
    public Option<string> Split { get; } = new("--split")
    {
        Description = "Split: test, train, validation (a run's held-out part) or a range such as train[90%:].",
        DefaultValueFactory = _ => "test",
    };

    public void AddTo(Command command)
    {
        command.Add(Run);
        foreach (var option in new Option[] { Checkpoint, Dataset, DataDir, Csv, Target, Split })
        {
            command.Add(option);
        }
    }

    public async Task<ModelSource> ResolveAsync(ParseResult parse, ConnectionSettings settings, CliConsole console, CliHooks hooks, bool json, CancellationToken cancellationToken)
    {
        var runId = parse.GetValue(Run);
        var checkpointPath = parse.GetValue(Checkpoint);
        if ((runId is null) == (checkpointPath is null))
        {
            throw new CliException("give either a run id or --checkpoint FILE.", ExitCodes.Usage);
        }

        var provider = RunEvaluator.CreateProvider(message => console.Error.WriteLine(message), settings.Verbose);
        if (checkpointPath is not null)
        {
            var checkpoint = RunEvaluator.LoadCheckpoint(Path.GetFullPath(checkpointPath));
            var data = DataFromFlags(parse, fallback: null)
                ?? throw new CliException("with --checkpoint, name the data with --dataset or --csv.", ExitCodes.Usage);
            return new ModelSource(new RunEvaluator(checkpoint.ModelSpecJson, data, 0, provider), checkpoint.Weights, $"checkpoint {checkpointPath} (step {checkpoint.Step})");
        }

        await using var cluster = await CommandSupport.ConnectAsync(settings, hooks, "a run id", json, cancellationToken);
        var grain = cluster.Grains.GetGrain<ITrainingRunGrain>(runId!);
        var spec = await grain.GetSpec().WaitAsync(cancellationToken)
            ?? throw new CliException($"run '{runId}' does not exist.");
        var status = await grain.GetStatus().WaitAsync(cancellationToken);
        var weights = await grain.GetWeights().WaitAsync(cancellationToken);
        if (weights is null && status.LastCheckpoint is { } last && File.Exists(last))
        {
            weights = RunEvaluator.LoadCheckpoint(last).Weights;
        }

        if (weights is null)
        {
            throw new CliException($"run '{runId}' has no weights to read (state {status.State.ToString().ToLowerInvariant()}, checkpoint {status.LastCheckpoint ?? "none"}).");
        }

        var runEvaluator = RunEvaluator.ForRunSpec(spec, provider);
        var overridden = DataFromFlags(parse, runEvaluator.Data);
        if (overridden is not null && overridden != runEvaluator.Data)
        {
            runEvaluator.Dispose();
            runEvaluator = new RunEvaluator(spec.ModelSpecJson, overridden, 0, provider);
        }

        return new ModelSource(runEvaluator, weights, $"run {runId} (step {status.Step}, {status.State.ToString().ToLowerInvariant()})");
    }

    private DataSetReference? DataFromFlags(ParseResult parse, DataSetReference? fallback)
    {
        var csv = parse.GetValue(Csv);
        var name = parse.GetValue(Dataset) ?? (csv is not null ? "csv" : null);
        if (name is null)
        {
            return fallback;
        }

        if (!DataSetReference.KnownNames.Contains(name))
        {
            throw new CliException($"unknown data set '{name}'; known: {string.Join(", ", DataSetReference.KnownNames)}.", ExitCodes.Usage);
        }

        if (name == "csv")
        {
            if (csv is null)
            {
                throw new CliException("the csv data set needs --csv FILE.", ExitCodes.Usage);
            }

            var path = Path.GetFullPath(csv);
            return File.Exists(path) ? new DataSetReference("csv", path, parse.GetValue(Target)) : throw new CliException($"CSV file '{csv}' does not exist.");
        }

        var dir = parse.GetValue(DataDir);
        return new DataSetReference(name, dir is null ? null : Path.GetFullPath(dir));
    }
}
