using DistTrain.Grains;
using DistTrain.Hosting;
using DistTrain.Grains.Data;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;
using DistTrain.Silo.Data;

namespace DistTrain.Runs;

/// <summary>
/// Evaluates a run's weights in the client, on the CPU engine: loss and accuracy on the
/// validation and test splits, predictions for chosen samples, and small models'
/// parameters. The data come from the same <see cref="StandardDataSets"/> code the silos
/// use, so the splits are the same samples.
/// </summary>
public sealed class RunEvaluator : IDisposable
{
    private const int EvaluationBatch = 500;
    private readonly IDataSetProvider _data;
    private readonly IDataSet? _validationData;
    private readonly CpuBackend _backend = new();
    private readonly ModelReplica _replica;

    /// <summary>
    /// An evaluator of <paramref name="modelSpecJson"/> on <paramref name="data"/>, whose last
    /// <paramref name="validationSplit"/> of the training split is the validation data, unless
    /// <paramref name="validationData"/> gives the validation samples themselves.
    /// </summary>
    public RunEvaluator(string modelSpecJson, DataSetReference data, double validationSplit, IDataSetProvider provider, IDataSet? validationData = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(provider);
        ModelSpec = ModelSpec.FromJson(modelSpecJson);
        Data = data;
        ValidationSplit = validationSplit;
        _data = provider;
        _validationData = validationData;
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
    public static IDataSet Load(IDataSetProvider provider, DataSetReference data, string split, double validationSplit = 0)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(data);
        try
        {
            return provider.Get(data.ToDataSpec(split, validationSplit));
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or DataFormatException or DataDownloadException or UnauthorizedAccessException)
        {
            throw new DistTrainException($"cannot load the {split} split of {data}: {ErrorText.OneLine(ex.Message)}", ex);
        }
    }

    /// <summary>The model evaluated.</summary>
    public ModelSpec ModelSpec { get; }

    /// <summary>The data set whose splits are evaluated.</summary>
    public DataSetReference Data { get; }

    /// <summary>Fraction of the training split held out for validation.</summary>
    public double ValidationSplit { get; }

    /// <summary>Whether there is validation data (a held-out fraction or samples given).</summary>
    public bool HasValidation => ValidationSplit > 0 || _validationData is not null;

    /// <summary>CSV data sets and samples in memory have no separate test split.</summary>
    public bool HasTest => !Data.IsCsv && !Data.IsInMemory;

    /// <summary>The evaluator of a run started with <paramref name="spec"/>.</summary>
    public static RunEvaluator ForRunSpec(RunSpec spec, IDataSetProvider provider)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var split = DataSplitName.Parse(spec.Data.Split);
        var validation = split is { Name: "train", From: 0, To: < 1 } ? 1 - split.To : 0;
        return new RunEvaluator(spec.ModelSpecJson, DataSetReference.FromDataSpec(spec.Data), validation, provider);
    }

    /// <summary>The samples of <paramref name="split"/> (train, validation, test or a range such as train[:10%]).</summary>
    public IDataSet Load(string split) =>
        split == "validation" && _validationData is not null ? _validationData : Load(_data, Data, split, ValidationSplit);

    /// <summary>Mean loss and accuracy of <paramref name="weights"/> on <paramref name="split"/>.</summary>
    public EvaluationMetrics Evaluate(float[] weights, string split) => Evaluate(weights, Load(split));

    /// <summary>Mean loss and accuracy of <paramref name="weights"/> on the samples of <paramref name="data"/>.</summary>
    public EvaluationMetrics Evaluate(float[] weights, IDataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFits(data);
        SetWeights(weights);
        var result = _replica.Evaluate(data, EvaluationBatch);
        return new EvaluationMetrics(result.Loss, double.IsFinite(result.Accuracy) ? result.Accuracy : null, result.Samples);
    }

    /// <summary>The model's outputs (class probabilities, or raw values for regression) for samples <paramref name="indices"/> of <paramref name="split"/>.</summary>
    /// <remarks>An index outside the split throws an <see cref="ArgumentOutOfRangeException"/>.</remarks>
    public (float[] Outputs, float[] Targets) Predict(float[] weights, string split, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var data = Load(split);
        if (indices.Where(i => i < 0 || i >= data.Count).Select(i => (int?)i).FirstOrDefault() is { } bad)
        {
            throw new ArgumentOutOfRangeException(null, bad, $"sample index {bad} is outside the {split} split (0-{data.Count - 1}).");
        }

        CheckFits(data);

        var inputs = new float[indices.Count * data.InputSize];
        var targets = new float[indices.Count * data.TargetSize];
        data.Read(indices.ToArray(), inputs, targets);
        SetWeights(weights);
        return (_replica.Predict(inputs, indices.Count), targets);
    }

    /// <summary>The model's outputs for <paramref name="rows"/> input rows in <paramref name="inputs"/> (rows × input size floats).</summary>
    public float[] Predict(float[] weights, ReadOnlySpan<float> inputs, int rows)
    {
        if (rows < 0 || inputs.Length != (long)rows * ModelSpec.InputSize)
        {
            throw new ArgumentException($"expected {rows} × {ModelSpec.InputSize} input floats, got {inputs.Length}.", nameof(inputs));
        }

        SetWeights(weights);
        return _replica.Predict(inputs, rows);
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
            throw new DistTrainException($"checkpoint '{path}' holds a different model than the run.");
        }

        return checkpoint.Weights;
    }

    /// <summary>Reads a checkpoint file with a one-line error when it is missing or damaged.</summary>
    public static Checkpoint LoadCheckpoint(string path)
    {
        if (!File.Exists(path))
        {
            throw new DistTrainException($"checkpoint '{path}' does not exist.");
        }

        try
        {
            return CheckpointStore.Load(path);
        }
        catch (CheckpointException ex)
        {
            throw new DistTrainException($"checkpoint '{path}' is unreadable: {ErrorText.OneLine(ex.Message)}", ex);
        }
    }

    /// <summary>Frees the CPU engine's buffers.</summary>
    public void Dispose()
    {
        _replica.Dispose();
        _backend.Dispose();
    }

    private void SetWeights(float[] weights)
    {
        if (weights.Length != _replica.Layout.Total)
        {
            throw new DistTrainException($"the weights have {weights.Length} values but the model has {_replica.Layout.Total} parameters.");
        }

        _replica.SetWeights(weights);
    }

    private void CheckFits(IDataSet data)
    {
        if (data.InputSize != ModelSpec.InputSize || data.TargetSize != ModelSpec.OutputSize)
        {
            throw new DistTrainException($"the model takes {ModelSpec.InputSize} inputs and gives {ModelSpec.OutputSize} outputs per sample, but the data have {data.InputSize} inputs and {data.TargetSize} targets.");
        }
    }
}
