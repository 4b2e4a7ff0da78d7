using System.Text.Json;
using DistTrain.Grains.Data;
using DistTrain.Grains.Planning;
using DistTrain.Grains.Security;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Training;

namespace DistTrain.Grains.Runs;

/// <summary>
/// What a coordinator derives from a <see cref="RunSpec"/>: the parsed model and optimiser,
/// the parameter layout, the step counts and the server slices. Creating it validates the
/// spec and names the first thing wrong.
/// </summary>
internal sealed class RunContext
{
    private RunContext(string runId, RunSpec spec, ModelSpec model, OptimizerSpec optimizer, ParameterLayout layout, int sampleCount, string checkpointDirectory, int slices, string? resumeFrom, string logDirectory)
    {
        ResumeFrom = resumeFrom;
        LogDirectory = logDirectory;
        RunId = runId;
        Spec = spec;
        Model = model;
        Optimizer = optimizer;
        Layout = layout;
        SampleCount = sampleCount;
        StepsPerEpoch = sampleCount / spec.BatchSize;
        long epochSteps = (long)StepsPerEpoch * spec.Epochs;
        TotalSteps = spec.MaxSteps is { } max ? Math.Min(max, epochSteps) : epochSteps;
        CheckpointDirectory = checkpointDirectory;
        Tensors = Checkpoint.LayoutOf(layout);
        OptimizerJson = JsonSerializer.Serialize(optimizer);
        Servers = [.. StepPlanner.PlanSlices(layout.Total, slices).Select((s, i) => new ServerSlice(ServerKeys.For(runId, i), s.Offset, s.Length))];
        WorkerConfig = new WorkerRunConfig(runId, spec.ModelSpecJson, spec.Data, spec.BatchSize, spec.MicroShards, spec.Seed, Servers, spec.BucketBytes, spec.Compression);
    }

    public string RunId { get; }

    public RunSpec Spec { get; }

    public ModelSpec Model { get; }

    public OptimizerSpec Optimizer { get; }

    public string OptimizerJson { get; }

    public ParameterLayout Layout { get; }

    public IReadOnlyList<CheckpointTensor> Tensors { get; }

    public int SampleCount { get; }

    public int StepsPerEpoch { get; }

    public long TotalSteps { get; }

    public string CheckpointDirectory { get; }

    public string CheckpointPath => CheckpointStore.PathIn(CheckpointDirectory);

    /// <summary>
    /// Where the run's TensorBoard event files go: the spec's <see cref="RunSpec.LogDirectory"/>
    /// resolved under the checkpoint roots, or <c>logs</c> in the checkpoint directory.
    /// </summary>
    public string LogDirectory { get; }

    /// <summary>The spec's <see cref="RunSpec.ResumeFrom"/> resolved under the checkpoint roots; null when the spec names none.</summary>
    public string? ResumeFrom { get; }

    public IReadOnlyList<ServerSlice> Servers { get; }

    public WorkerRunConfig WorkerConfig { get; }

    /// <summary>Epoch of step <paramref name="step"/>.</summary>
    public int EpochOf(long step) => (int)(step / StepsPerEpoch);

    /// <summary>
    /// Validates <paramref name="spec"/> and derives the run's constants; the checkpoint paths
    /// must lie under <see cref="CoordinatorOptions.EffectiveCheckpointRoots"/>; custom layer
    /// types are looked up by <paramref name="layerTypes"/> (the silo's plugins).
    /// </summary>
    public static RunContext Create(string runId, RunSpec spec, IDataSetProvider dataSets, CoordinatorOptions options, int slices = 0, LayerTypeResolver? layerTypes = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        string checkpointRoot = options.CheckpointRoot;
        IReadOnlyList<string> checkpointRoots = options.EffectiveCheckpointRoots;
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentNullException.ThrowIfNull(spec);
        if (runId.IndexOfAny(['/', '\\', '\0']) >= 0 || runId is "." or "..")
        {
            throw new ArgumentException($"Run id '{runId}' must not contain '/', '\\' or NUL, nor be '.' or '..'.", nameof(runId));
        }

        if (string.IsNullOrWhiteSpace(spec.ModelSpecJson))
        {
            throw new ArgumentException("RunSpec.ModelSpecJson is empty.", nameof(spec));
        }

        ArgumentNullException.ThrowIfNull(spec.Data, "RunSpec.Data");
        ArgumentNullException.ThrowIfNull(spec.Optimizer, "RunSpec.Optimizer");
        Require(spec.BatchSize > 0, $"RunSpec.BatchSize must be > 0, got {spec.BatchSize}.");
        Require(spec.MicroShards > 0 && int.IsPow2(spec.MicroShards), $"RunSpec.MicroShards must be a power of two, got {spec.MicroShards}.");
        Require(spec.BatchSize % spec.MicroShards == 0, $"RunSpec.BatchSize {spec.BatchSize} is not a multiple of MicroShards {spec.MicroShards}.");
        Require(spec.Epochs > 0, $"RunSpec.Epochs must be > 0, got {spec.Epochs}.");
        Require(spec.Workers >= 0, $"RunSpec.Workers must be ≥ 0 (0: all), got {spec.Workers}.");
        Require(spec.ServerSlices >= 0, $"RunSpec.ServerSlices must be ≥ 0 (0: one per silo with workers), got {spec.ServerSlices}.");
        Require(spec.BucketBytes >= 0, $"RunSpec.BucketBytes must be ≥ 0 (0: push after the backward), got {spec.BucketBytes}.");
        Require(Enum.IsDefined(spec.Compression), $"RunSpec.Compression {spec.Compression} is not a known encoding.");
        Require(spec.CheckpointInterval >= 0, $"RunSpec.CheckpointInterval must be ≥ 0, got {spec.CheckpointInterval}.");
        Require(spec.MaxSteps is null or > 0, $"RunSpec.MaxSteps must be > 0 when set, got {spec.MaxSteps}.");

        ModelSpec model = ModelSpec.FromJson(spec.ModelSpecJson, layerTypes);
        model.Validate();
        OptimizerSpec optimizer = spec.Optimizer.ToSpec();
        ParameterLayout layout = ParameterLayout.For(model);
        var data = dataSets.Get(spec.Data);
        Require(data.InputSize == model.InputSize, $"Data set '{spec.Data.Name}' has {data.InputSize} inputs per sample but the model takes {model.InputSize}.");
        Require(data.TargetSize == model.OutputSize, $"Data set '{spec.Data.Name}' has {data.TargetSize} targets per sample but the model outputs {model.OutputSize}.");
        Require(data.Count >= spec.BatchSize, $"Data set '{spec.Data.Name}' has {data.Count} samples, fewer than one batch of {spec.BatchSize}.");
        Require(spec.ServerSlices <= layout.Total, $"RunSpec.ServerSlices {spec.ServerSlices} exceeds the {layout.Total} parameters.");
        const string RootsSetting = CoordinatorOptions.SectionName + ":" + nameof(CoordinatorOptions.CheckpointRoots);
        string directory = spec.CheckpointDirectory is { } named
            ? PathRoots.Resolve(named, checkpointRoots, "RunSpec.CheckpointDirectory", RootsSetting)
            : PathRoots.Resolve(Path.Combine(Path.GetFullPath(checkpointRoot), runId), checkpointRoots, $"The checkpoint directory of run '{runId}'", RootsSetting);
        string? resumeFrom = spec.ResumeFrom is { } resume ? PathRoots.Resolve(resume, checkpointRoots, "RunSpec.ResumeFrom", RootsSetting) : null;
        string logDirectory = spec.LogDirectory is { } log ? PathRoots.Resolve(log, checkpointRoots, "RunSpec.LogDirectory", RootsSetting) : Path.Combine(directory, "logs");
        int count = spec.ServerSlices > 0 ? spec.ServerSlices : Math.Clamp(slices, 1, layout.Total);
        return new RunContext(runId, spec, model, optimizer, layout, data.Count, directory, count, resumeFrom, logDirectory);
    }

    /// <summary><see cref="LogDirectory"/> of a run as its spec names it, without validating the spec (for the status of a run not loaded).</summary>
    public static string LogDirectoryOf(string runId, RunSpec spec, string checkpointRoot) =>
        spec.LogDirectory ?? Path.Combine(spec.CheckpointDirectory ?? Path.Combine(checkpointRoot, runId), "logs");

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message, "spec");
        }
    }
}
