using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Grains;
using DistTrain.Grains.Data;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;
using DistTrain.Silo.Data;

namespace DistTrain.Client.Train;

/// <summary>
/// Evaluates a run's weights in the console, on the CPU engine: loss and accuracy on the
/// validation and test splits, predictions for chosen samples, and small models'
/// parameters. The data come from the same <see cref="StandardDataSets"/> code the silos
/// use, so the splits are the same samples.
/// </summary>
internal sealed class RunEvaluator : IDisposable
{
    private const int EvaluationBatch = 500;
    private readonly DataSetProvider _data;
    private readonly CpuBackend _backend = new();
    private readonly ModelReplica _replica;

    public RunEvaluator(string modelSpecJson, DataSetReference data, double validationSplit, DataSetProvider provider)
    {
        ModelSpec = ModelSpec.FromJson(modelSpecJson);
        Data = data;
        ValidationSplit = validationSplit;
        _data = provider;
        _replica = new ModelReplica(ModelSpec, _backend);
    }

    /// <summary>
    /// A data-set provider with the standard data sets. <paramref name="log"/> receives the
    /// one line saying where each data set came from, or, when <paramref name="verbose"/>,
    /// every loading step (mirrors tried, npm fallback).
    /// </summary>
    public static DataSetProvider CreateProvider(Action<string> log, bool verbose) =>
        new DataSetProvider().RegisterStandardDataSets(message =>
        {
            if (verbose || message.StartsWith(StandardDataSets.SummaryPrefix, StringComparison.Ordinal))
            {
                log(message);
            }
        });

    /// <summary>Loads one split through <paramref name="provider"/>, with a one-line error naming the data.</summary>
    public static IDataSet Load(DataSetProvider provider, DataSetReference data, string split, double validationSplit = 0)
    {
        try
        {
            return provider.Get(data.ToDataSpec(split, validationSplit));
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or DataFormatException or DataDownloadException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot load the {split} split of {data}: {DistTrainCli.OneLine(ex.Message)}", ExitCodes.Failure, ex);
        }
    }

    public ModelSpec ModelSpec { get; }

    public DataSetReference Data { get; }

    public double ValidationSplit { get; }

    public bool HasValidation => ValidationSplit > 0;

    /// <summary>CSV data sets have no separate test split.</summary>
    public bool HasTest => !Data.IsCsv;

    /// <summary>The evaluator of a run started with <paramref name="spec"/>.</summary>
    public static RunEvaluator ForRunSpec(RunSpec spec, DataSetProvider provider)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var split = DataSplitName.Parse(spec.Data.Split);
        var validation = split is { Name: "train", From: 0, To: < 1 } ? 1 - split.To : 0;
        return new RunEvaluator(spec.ModelSpecJson, DataSetReference.FromDataSpec(spec.Data), validation, provider);
    }

    /// <summary>The samples of <paramref name="split"/> (train, validation, test or a range such as train[:10%]).</summary>
    public IDataSet Load(string split) => Load(_data, Data, split, ValidationSplit);

    /// <summary>Mean loss and accuracy of <paramref name="weights"/> on <paramref name="split"/>.</summary>
    public EvaluationMetrics Evaluate(float[] weights, string split)
    {
        var data = Load(split);
        SetWeights(weights);
        var result = _replica.Evaluate(data, EvaluationBatch);
        return new EvaluationMetrics(result.Loss, double.IsFinite(result.Accuracy) ? result.Accuracy : null, result.Samples);
    }

    /// <summary>The model's outputs (class probabilities, or raw values for regression) for samples <paramref name="indices"/> of <paramref name="split"/>.</summary>
    public (float[] Outputs, float[] Targets) Predict(float[] weights, string split, IReadOnlyList<int> indices)
    {
        var data = Load(split);
        if (indices.Where(i => i < 0 || i >= data.Count).Select(i => (int?)i).FirstOrDefault() is { } bad)
        {
            throw new CliException($"sample index {bad} is outside the {split} split (0-{data.Count - 1}).", ExitCodes.Usage);
        }

        var inputs = new float[indices.Count * data.InputSize];
        var targets = new float[indices.Count * data.TargetSize];
        data.Read(indices.ToArray(), inputs, targets);
        SetWeights(weights);
        return (_replica.Predict(inputs, indices.Count), targets);
    }

    /// <summary>The parameters by layout entry when the model has at most 64 of them (w and b of a linear regression).</summary>
    public IReadOnlyDictionary<string, float[]>? SmallParameters(float[] weights)
    {
        var layout = _replica.Layout;
        if (layout.Total > 64 || weights.Length != layout.Total)
        {
            return null;
        }

        return layout.Entries.ToDictionary(e => e.Name, e => weights.AsSpan(e.Offset, e.Length).ToArray());
    }

    /// <summary>The weights of a checkpoint file, checked against this model.</summary>
    public float[] WeightsFromCheckpoint(string path)
    {
        var checkpoint = LoadCheckpoint(path);
        if (ModelSpec.FromJson(checkpoint.ModelSpecJson) != ModelSpec)
        {
            throw new CliException($"checkpoint '{path}' holds a different model than the run.");
        }

        return checkpoint.Weights;
    }

    /// <summary>Reads a checkpoint file with a one-line error when it is missing or damaged.</summary>
    public static Checkpoint LoadCheckpoint(string path)
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

    public void Dispose()
    {
        _replica.Dispose();
        _backend.Dispose();
    }

    private void SetWeights(float[] weights)
    {
        if (weights.Length != _replica.Layout.Total)
        {
            throw new CliException($"the weights have {weights.Length} values but the model has {_replica.Layout.Total} parameters.");
        }

        _replica.SetWeights(weights);
    }
}
