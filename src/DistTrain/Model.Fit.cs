using System.Numerics;
using System.Security.Cryptography;
using DistTrain.Callbacks;
using DistTrain.Grains;
using DistTrain.Hosting;
using DistTrain.Kernels.Data;
using DistTrain.Runs;

namespace DistTrain;

public partial class Model
{
    /// <summary>
    /// Trains the model (Keras' <c>model.fit</c>) and returns its history; see
    /// <see cref="FitAsync"/> for the arguments. Blocks until the run has ended.
    /// </summary>
    public History Fit(
        DataSource trainData,
        int epochs = 1,
        int batchSize = 32,
        double validationSplit = 0,
        DataSource? validationData = null,
        IReadOnlyList<Callback>? callbacks = null,
        FitOptions? options = null) =>
        FitAsync(trainData, epochs, batchSize, validationSplit, validationData, callbacks, options).GetAwaiter().GetResult();

    /// <summary>
    /// Trains the model on a cluster: an embedded single-process cluster by default, a running
    /// one with <see cref="FitOptions.Cluster"/>. The run starts from fresh initial weights (or
    /// <see cref="FitOptions.ResumeFrom"/>); afterwards <see cref="Weights"/> holds the final weights.
    /// </summary>
    /// <param name="trainData">The training samples. Samples in memory train only on the embedded cluster.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Global batch size over all workers (a multiple of <see cref="FitOptions.MicroShards"/>).</param>
    /// <param name="validationSplit">Fraction of the training samples (the last ones, as Keras cuts them) held out for validation, in [0, 1).</param>
    /// <param name="validationData">Validation samples instead of a split (evaluated in this program after every epoch).</param>
    /// <param name="callbacks">Early stopping, checkpoints, progress, or your own.</param>
    /// <param name="options">Where and how to run.</param>
    /// <param name="cancellationToken">Stops following the run (an embedded cluster stops with it).</param>
    /// <exception cref="ArgumentException">A setting is out of range or the data do not fit the model.</exception>
    /// <exception cref="DistTrainException">The cluster cannot be reached, data cannot be loaded, or the run failed.</exception>
    public async Task<History> FitAsync(
        DataSource trainData,
        int epochs = 1,
        int batchSize = 32,
        double validationSplit = 0,
        DataSource? validationData = null,
        IReadOnlyList<Callback>? callbacks = null,
        FitOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        options ??= new FitOptions();
        callbacks ??= [];
        if (!IsCompiled)
        {
            throw new InvalidOperationException("the model is not compiled: call Compile(optimizer, loss, metrics) first.");
        }

        var spec = Spec;
        var optimizer = Optimizer!.ToSettings();
        Require(epochs >= 1, nameof(epochs), $"epochs must be at least 1, got {epochs}.");
        Require(batchSize >= 1, nameof(batchSize), $"batchSize must be at least 1, got {batchSize}.");
        Require(options.MicroShards >= 1 && BitOperations.IsPow2(options.MicroShards), nameof(options), $"MicroShards must be a power of two, got {options.MicroShards}.");
        Require(batchSize % options.MicroShards == 0, nameof(batchSize), $"batchSize {batchSize} is not a multiple of MicroShards {options.MicroShards}.");
        Require(validationSplit is >= 0 and < 1, nameof(validationSplit), $"validationSplit must be in [0, 1), got {validationSplit}.");
        Require(validationSplit == 0 || validationData is null, nameof(validationData), "give validationSplit or validationData, not both.");
        Require(validationSplit == 0 || trainData.Split == "train", nameof(validationSplit), $"validationSplit cuts the whole train split; for the range '{trainData.Split}' pass validationData.");
        Require(options.Workers >= 0 && options.ServerSlices >= 0, nameof(options), "Workers and ServerSlices must not be negative.");
        Require(options.BucketBytes >= 0, nameof(options), $"BucketBytes must not be negative, got {options.BucketBytes}.");
        Require(Enum.IsDefined(options.Compression), nameof(options), $"Compression {options.Compression} is not a known encoding.");
        var early = callbacks.OfType<Callbacks.EarlyStopping>().FirstOrDefault();
        Require(early is null || !early.Rule.NeedsValidation || validationSplit > 0 || validationData is not null, nameof(callbacks), $"EarlyStopping on {early?.Rule.Monitor} needs validationSplit or validationData.");

        var settings = options.Connection ?? (options.Cluster is null ? ConnectionSettings.EmbeddedCluster : ConnectionSettings.ForGateways(options.Cluster));
        if (trainData.IsInMemory && !settings.Embedded)
        {
            throw new DistTrainException(
                $"samples in this program's memory cannot reach the silos of the cluster at {settings.Describe()}: "
                + "train there on a built-in data set (DataSource.Mnist, …) or on a CSV file every silo can read (DataSource.Csv), or drop FitOptions.Cluster to train on the embedded cluster.");
        }

        var provider = Provider(options.Log);
        var (reference, trainSplit, key) = trainData.ForRun();
        try
        {
            // The samples the workers will read, loaded here too: their shape checks the model, their count sizes the schedule.
            var training = RunEvaluator.Load(provider, reference, trainSplit, validationSplit);
            CheckShapes(spec, training, trainData);
            Require(training.Count >= batchSize, nameof(batchSize), $"batchSize {batchSize} is larger than the {training.Count} training samples.");
            var validation = validationData?.Load(provider);
            if (validation is not null)
            {
                CheckShapes(spec, validation, validationData!);
            }

            var totalSteps = (long)(training.Count / batchSize) * epochs;
            optimizer = optimizer with { Schedule = Schedules.ForRun(optimizer.Schedule, totalSteps) };

            var checkpointDirectory = callbacks.Select(c => c.CheckpointDirectory).LastOrDefault(d => d is not null) ?? Full(options.CheckpointDirectory);
            var request = new TrainRequest(
                options.RunId ?? $"fit-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}",
                null,
                spec.ToJson(),
                reference,
                epochs,
                batchSize,
                options.MicroShards,
                options.Seed,
                optimizer,
                validationSplit,
                null,
                0,
                options.Workers,
                options.ServerSlices,
                checkpointDirectory,
                0,
                Full(options.ResumeFrom)) { TrainSplit = trainSplit, BucketBytes = options.BucketBytes, Compression = options.Compression };
            return await RunAsync(request, settings, provider, validation, callbacks, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (key is not null)
            {
                InMemoryDataSets.Remove(key);
            }
        }
    }

    private async Task<History> RunAsync(TrainRequest request, ConnectionSettings settings, Grains.Data.IDataSetProvider provider, IDataSet? validation, IReadOnlyList<Callback> callbacks, FitOptions options, CancellationToken cancellationToken)
    {
        StopTraining = false;
        foreach (var callback in callbacks)
        {
            callback.Model = this;
        }

        using var evaluator = new RunEvaluator(request.ModelSpecJson, request.Data, request.ValidationSplit, provider, validation);
        await using var cluster = await ClusterConnection.OpenAsync(settings, cancellationToken, embeddedDataSets: settings.Embedded ? provider : null).ConfigureAwait(false);
        var (run, started) = await RunLauncher.StartAsync(cluster, request, cancellationToken).ConfigureAwait(false);
        RunLauncher.EnsureStarted(started);
        var begin = new TrainBeginLogs(request.RunId, request.Epochs, started.StepsPerEpoch, started.TotalSteps, settings.Embedded ? "embedded" : settings.Describe());
        foreach (var callback in callbacks)
        {
            callback.OnTrainBegin(begin);
        }

        var accuracy = Metrics.Contains("accuracy");
        var epochs = new List<EpochLogs>();
        var follower = new RunFollower(cluster, run, request.RunId, options.PollInterval)
        {
            BatchSize = request.BatchSize,
            Evaluator = evaluator,
            EvaluateTest = false,
            // One GetReports call per poll, for callbacks' OnStepEnd.
            StepReported = callbacks.Count == 0 ? null : report =>
            {
                var logs = StepLogs.From(report);
                foreach (var callback in callbacks)
                {
                    callback.OnStepEnd(logs);
                }
            },
            StopRequested = _ => StopTraining ? "stopped by a callback (StopTraining)" : null,
        };
        var summary = await follower.FollowAsync(new CallbackProgress(callbacks, epochs, accuracy, options.Log), cancellationToken).ConfigureAwait(false);
        if (summary.State == nameof(RunState.Failed))
        {
            throw new DistTrainException($"run {summary.RunId} failed: {ErrorText.OneLine(summary.Error ?? "no reason given")}");
        }

        Weights = follower.FinalWeights ?? throw new DistTrainException($"run {summary.RunId} ended ({summary.State}) but its final weights could not be read: {summary.Error}");

        // The last epoch's validation is that of the final weights, measured exactly (as in the summary).
        if (epochs.Count > 0 && summary.History.Count == epochs.Count)
        {
            var last = summary.History[^1];
            epochs[^1] = epochs[^1] with { ValidationLoss = last.ValidationLoss, ValidationAccuracy = accuracy ? last.ValidationAccuracy : null };
        }

        var history = new History(epochs, summary);
        foreach (var callback in callbacks)
        {
            callback.OnTrainEnd(history);
        }

        return history;
    }

    private static void CheckShapes(Kernels.Models.ModelSpec spec, IDataSet data, DataSource source)
    {
        if (data.InputSize != spec.InputSize || data.TargetSize != spec.OutputSize)
        {
            throw new ArgumentException($"the model takes {spec.InputSize} inputs and gives {spec.OutputSize} outputs per sample, but {source} has {data.InputSize} inputs and {data.TargetSize} targets.");
        }
    }

    private static void Require(bool condition, string parameter, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message, parameter);
        }
    }

    private static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);

    /// <summary>Turns the watcher's progress into callback calls.</summary>
    private sealed class CallbackProgress(IReadOnlyList<Callback> callbacks, List<EpochLogs> epochs, bool accuracy, Action<string>? log) : IRunProgress
    {
        public void Update(RunStatus status, double? samplesPerSecond, TimeSpan? remaining)
        {
            var logs = new ProgressLogs(status.Step, status.TotalSteps, status.Epoch, status.LastLoss, status.LastAccuracy, samplesPerSecond, remaining);
            foreach (var callback in callbacks)
            {
                callback.OnProgress(logs);
            }
        }

        public void EpochDone(EpochRow row, int totalEpochs)
        {
            var logs = new EpochLogs(row.Epoch, row.Loss, accuracy ? row.Accuracy : null, row.ValidationLoss, accuracy ? row.ValidationAccuracy : null, row.Seconds);
            epochs.Add(logs);
            foreach (var callback in callbacks)
            {
                callback.OnEpochEnd(logs);
            }
        }

        public void Notice(string message) => log?.Invoke(message);
    }
}
