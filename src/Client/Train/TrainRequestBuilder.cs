using System.CommandLine;
using System.Numerics;
using System.Security.Cryptography;
using DistTrain.Client.Cli;
using DistTrain.Grains;
using DistTrain.Kernels.Data;

namespace DistTrain.Client.Train;

/// <summary>
/// Resolves <c>disttrain train</c>'s flags, spec file and preset into a checked
/// <see cref="TrainRequest"/>: flags win over the file, the file over the preset.
/// Every problem is a <see cref="CliException"/> naming the flag or file.
/// </summary>
internal static class TrainRequestBuilder
{
    /// <summary>
    /// Resolves the request; <paramref name="trainingSamples"/> loads the whole training split
    /// of a data set (its width sizes linear regression, its count the default cosine horizon).
    /// </summary>
    public static TrainRequest Build(ParseResult parse, TrainOptions o, Func<DataSetReference, IDataSet> trainingSamples)
    {
        var specPath = parse.GetValue(o.Spec);
        var file = specPath is null ? new RunSpecFile() : RunSpecFile.Load(specPath);

        var presetName = parse.GetValue(o.Preset) ?? file.Preset;
        var preset = presetName is null ? null : CliPresets.Find(presetName);
        var modelPath = parse.GetValue(o.Model);
        if (preset is null && modelPath is null && file.Model is null)
        {
            throw Usage("no model: give --preset, --model FILE or a spec file with \"model\".");
        }

        var data = ResolveData(parse, o, file, preset);
        var samples = trainingSamples(data);
        var modelJson = modelPath is not null ? ModelSpecFile.Read(modelPath)
            : file.Model is { } element ? element.GetRawText()
            : preset!.ModelSpecJson(samples.InputSize);
        ModelSpecFile.Parse(modelJson, modelPath ?? specPath ?? $"preset {preset?.Name}");

        var epochs = parse.GetValue(o.Epochs) ?? file.Epochs ?? preset?.Epochs ?? 10;
        var batch = parse.GetValue(o.BatchSize) ?? file.BatchSize ?? preset?.BatchSize ?? 64;
        var shards = parse.GetValue(o.MicroShards) ?? file.MicroShards ?? preset?.MicroShards ?? 8;
        Require(epochs >= 1, $"--epochs must be at least 1, got {epochs}.");
        Require(batch >= 1, $"--batch-size must be at least 1, got {batch}.");
        Require(shards >= 1 && BitOperations.IsPow2(shards), $"--micro-shards must be a power of two, got {shards}.");
        Require(batch % shards == 0, $"--batch-size {batch} is not a multiple of --micro-shards {shards}.");

        var baseOptimizer = ResolveOptimizerBase(parse, o, file, preset);
        var lr = parse.GetValue(o.LearningRate) ?? file.Lr ?? baseOptimizer.LearningRate;
        var momentum = parse.GetValue(o.Momentum) ?? file.Momentum ?? baseOptimizer.Momentum;
        var nesterov = Flag(parse, o.Nesterov) ?? file.Nesterov ?? baseOptimizer.Nesterov;
        var clip = parse.GetValue(o.ClipNorm) ?? file.ClipNorm ?? baseOptimizer.ClipNorm;
        var decay = parse.GetValue(o.WeightDecay) ?? file.WeightDecay ?? baseOptimizer.WeightDecay;
        Require(float.IsFinite(lr) && lr > 0, $"--lr must be a positive number, got {lr}.");
        Require(momentum is >= 0 and < 1, $"--momentum must be in [0, 1), got {momentum}.");
        Require(clip is null || (float.IsFinite(clip.Value) && clip > 0), $"--clip-norm must be positive, got {clip}.");
        Require(float.IsFinite(decay) && decay >= 0, $"--weight-decay must not be negative, got {decay}.");
        var adaptive = baseOptimizer with
        {
            Beta1 = parse.GetValue(o.Beta1) ?? file.Beta1 ?? baseOptimizer.Beta1,
            Beta2 = parse.GetValue(o.Beta2) ?? file.Beta2 ?? baseOptimizer.Beta2,
            Epsilon = parse.GetValue(o.Epsilon) ?? file.Epsilon ?? baseOptimizer.Epsilon,
            Amsgrad = Flag(parse, o.Amsgrad) ?? file.Amsgrad ?? baseOptimizer.Amsgrad,
            Rho = parse.GetValue(o.Rho) ?? file.Rho ?? baseOptimizer.Rho,
            Centered = Flag(parse, o.Centered) ?? file.Centered ?? baseOptimizer.Centered,
            InitialAccumulatorValue = parse.GetValue(o.InitialAccumulator) ?? file.InitialAccumulator ?? baseOptimizer.InitialAccumulatorValue,
        };
        Require(adaptive.Beta1 is >= 0 and < 1, $"--beta1 must be in [0, 1), got {adaptive.Beta1}.");
        Require(adaptive.Beta2 is >= 0 and < 1, $"--beta2 must be in [0, 1), got {adaptive.Beta2}.");
        Require(adaptive.Rho is >= 0 and < 1, $"--rho must be in [0, 1), got {adaptive.Rho}.");
        Require(float.IsFinite(adaptive.Epsilon) && adaptive.Epsilon > 0, $"--epsilon must be a positive number, got {adaptive.Epsilon}.");
        Require(float.IsFinite(adaptive.InitialAccumulatorValue) && adaptive.InitialAccumulatorValue >= 0, $"--initial-accumulator must not be negative, got {adaptive.InitialAccumulatorValue}.");
        CheckApplies(adaptive.Algorithm, momentum != 0 ? "--momentum" : null, OptimizerAlgorithm.Sgd, OptimizerAlgorithm.RmsProp);
        CheckApplies(adaptive.Algorithm, nesterov ? "--nesterov" : null, OptimizerAlgorithm.Sgd);
        CheckApplies(adaptive.Algorithm, adaptive.Amsgrad ? "--amsgrad" : null, OptimizerAlgorithm.Adam, OptimizerAlgorithm.AdamW);
        CheckApplies(adaptive.Algorithm, adaptive.Centered ? "--centered" : null, OptimizerAlgorithm.RmsProp);
        Require(!nesterov || momentum > 0, "--nesterov needs --momentum > 0.");

        var foldsGiven = parse.GetValue(o.Folds) ?? file.Folds;
        var folds = foldsGiven ?? 0;
        var explicitSplit = parse.GetValue(o.ValidationSplit) ?? file.ValidationSplit;
        if (foldsGiven is not null)
        {
            Require(folds >= 2, $"--folds must be at least 2, got {folds}.");
            Require(folds <= samples.Count, $"--folds {folds} is more than the {samples.Count} training samples of {data}.");
            Require(explicitSplit is null or 0, "--folds cannot be combined with --validation-split: each fold is the validation data of its run.");
        }

        // With folds, every fold is the validation data; a preset's own split does not apply.
        var split = explicitSplit ?? (folds != 0 ? 0 : preset?.ValidationSplit ?? 0);
        Require(split is >= 0 and < 1, $"--validation-split must be in [0, 1), got {split}.");
        var monitor = parse.GetValue(o.EarlyStoppingMonitor) ?? file.EarlyStoppingMonitor;
        var patience = parse.GetValue(o.Patience) ?? file.Patience ?? 3;
        if (monitor is not null)
        {
            Require(Kernels.Training.EarlyStopping.Metrics.Contains(monitor), $"--early-stopping-monitor must be one of {string.Join(", ", Kernels.Training.EarlyStopping.Metrics)}, got '{monitor}'.");
            Require(!monitor.StartsWith("val_", StringComparison.Ordinal) || split > 0 || folds != 0, $"--early-stopping-monitor {monitor} needs --validation-split > 0 (or --folds).");
            Require(patience >= 1, $"--patience must be at least 1, got {patience}.");
        }

        var warmup = parse.GetValue(o.Warmup) ?? file.Warmup ?? baseOptimizer.Schedule?.WarmupSteps ?? 0;
        var scheduleText = parse.GetValue(o.Schedule) ?? file.Schedule;
        var schedule = baseOptimizer.Schedule;
        // With k folds the smallest training set is n − ⌈n/k⌉ samples.
        var trainCount = folds != 0 ? samples.Count - ((samples.Count + folds - 1) / folds) : (long)Math.Floor(samples.Count * (1 - split));
        Require(trainCount >= batch, $"--batch-size {batch} is larger than the {trainCount} training samples of {data}.");
        var totalSteps = trainCount / batch * epochs;
        try
        {
            schedule = scheduleText is not null ? ScheduleSyntax.Parse(scheduleText, warmup, totalSteps)
                : schedule is { Kind: ScheduleKind.Cosine, DecaySteps: 0 } ? Schedules.ForRun(schedule with { WarmupSteps = warmup }, totalSteps)
                : schedule is null && warmup > 0 ? new ScheduleSettings(ScheduleKind.Constant, WarmupSteps: warmup)
                : schedule;
        }
        catch (FormatException ex)
        {
            throw Usage($"--schedule: {ex.Message}");
        }

        var workers = parse.GetValue(o.Workers) ?? file.Workers ?? 0;
        var slices = parse.GetValue(o.ServerSlices) ?? file.ServerSlices ?? 0;
        var bucketBytes = parse.GetValue(o.BucketBytes) ?? file.BucketBytes ?? RunSpec.DefaultBucketBytes;
        var compressionText = parse.GetValue(o.Compression) ?? file.Compression ?? "none";
        var compression = compressionText.ToLowerInvariant() switch
        {
            "none" or "fp32" or "float32" => GradientCompression.None,
            "bf16" or "bfloat16" => GradientCompression.Bf16,
            _ => throw Usage($"--compression must be none or bf16, got '{compressionText}'."),
        };
        var interval = parse.GetValue(o.CheckpointInterval) ?? file.CheckpointInterval ?? 0;
        Require(workers >= 0, $"--workers must not be negative, got {workers}.");
        Require(slices >= 0, $"--server-slices must not be negative (0: one per silo), got {slices}.");
        Require(bucketBytes >= 0, $"--bucket-bytes must not be negative (0: one push after the backward), got {bucketBytes}.");
        Require(interval >= 0, $"--checkpoint-interval must not be negative, got {interval}.");

        var checkpointDir = FullPath(parse.GetValue(o.CheckpointDir)) ?? file.ResolvePath(file.CheckpointDir);
        var resume = FullPath(parse.GetValue(o.ResumeFrom)) ?? file.ResolvePath(file.ResumeFrom);
        var logDir = FullPath(parse.GetValue(o.LogDir)) ?? file.ResolvePath(file.Logdir);
        if (resume is not null && !File.Exists(resume))
        {
            throw new CliException($"checkpoint '{resume}' does not exist.");
        }

        if (folds != 0)
        {
            // The folds train in this process with the local trainer: cluster settings would be silently ignored.
            var clusterOnly = new (bool Given, string Flag)[]
            {
                (workers != 0, "--workers"), (slices != 0, "--server-slices"),
                (bucketBytes != RunSpec.DefaultBucketBytes, "--bucket-bytes"), (compression != GradientCompression.None, "--compression"), (resume is not null, "--resume-from"),
                (checkpointDir is not null, "--checkpoint-dir"), (interval != 0, "--checkpoint-interval"), (logDir is not null, "--logdir"),
            };
            if (clusterOnly.FirstOrDefault(c => c.Given) is { Given: true } bad)
            {
                throw Usage($"--folds cannot be combined with {bad.Flag}: the folds train in this process, not on the cluster.");
            }
        }

        var runId = parse.GetValue(o.RunId) ?? file.RunId ?? NewRunId(preset?.Name);
        Require(runId.Length is > 0 and <= 128 && runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'), $"--run-id '{runId}' must be 1-128 letters, digits, '-', '_' or '.'.");

        return new TrainRequest(
            runId,
            preset?.Name,
            modelJson,
            data,
            epochs,
            batch,
            shards,
            parse.GetValue(o.Seed) ?? file.Seed ?? 1,
            adaptive with { LearningRate = lr, Momentum = momentum, Nesterov = nesterov, WeightDecay = decay, ClipNorm = clip, Schedule = schedule },
            split,
            monitor,
            patience,
            workers,
            slices,
            checkpointDir,
            interval,
            resume,
            folds,
            logDir) { BucketBytes = bucketBytes, Compression = compression };
    }

    /// <summary>
    /// The optimiser the flags and the file refine: the preset's, or Keras' defaults of the
    /// rule <c>--optimizer</c> names when it differs from the preset's (keeping the preset's
    /// clipping and schedule), or SGD at 0.01 without either.
    /// </summary>
    private static OptimizerSettings ResolveOptimizerBase(ParseResult parse, TrainOptions o, RunSpecFile file, TrainingPreset? preset)
    {
        var name = parse.GetValue(o.Optimizer) ?? file.Optimizer;
        var presetOptimizer = preset?.Optimizer;
        if (name is null)
        {
            return presetOptimizer ?? OptimizerSyntax.Defaults(OptimizerAlgorithm.Sgd);
        }

        var algorithm = OptimizerSyntax.Parse(name);
        return presetOptimizer is not null && presetOptimizer.Algorithm == algorithm
            ? presetOptimizer
            : OptimizerSyntax.Defaults(algorithm) with { ClipNorm = presetOptimizer?.ClipNorm, Schedule = presetOptimizer?.Schedule };
    }

    /// <summary>A switch given as <c>--flag</c> (true), <c>--flag false</c>, or not at all (null).</summary>
    private static bool? Flag(ParseResult parse, Option<bool?> option) =>
        parse.GetResult(option) is null ? null : parse.GetValue(option) ?? true;

    private static void CheckApplies(OptimizerAlgorithm algorithm, string? flag, params OptimizerAlgorithm[] rules)
    {
        if (flag is not null && !rules.Contains(algorithm))
        {
            throw Usage($"{flag} does not apply to --optimizer {algorithm.ToString().ToLowerInvariant()} (only to {string.Join(", ", rules.Select(r => r.ToString().ToLowerInvariant()))}).");
        }
    }

    private static DataSetReference ResolveData(ParseResult parse, TrainOptions o, RunSpecFile file, TrainingPreset? preset)
    {
        var csv = FullPath(parse.GetValue(o.Csv)) ?? file.ResolvePath(file.Csv);
        var name = parse.GetValue(o.Dataset) ?? file.Dataset ?? (csv is not null ? "csv" : preset?.Data.Name)
            ?? throw Usage("no data set: give --dataset or --csv.");
        Require(DataSetReference.KnownNames.Contains(name), $"unknown data set '{name}'; known: {string.Join(", ", DataSetReference.KnownNames)}.");
        var target = parse.GetValue(o.Target) ?? file.Target;
        if (name == "csv")
        {
            if (csv is null)
            {
                throw Usage("the csv data set needs --csv FILE.");
            }

            if (!File.Exists(csv))
            {
                throw new CliException($"CSV file '{csv}' does not exist.");
            }

            return new DataSetReference("csv", csv, target);
        }

        Require(csv is null, $"--csv cannot be combined with --dataset {name}.");
        return new DataSetReference(name, FullPath(parse.GetValue(o.DataDir)) ?? file.ResolvePath(file.DataDir));
    }

    private static string NewRunId(string? preset) =>
        $"{preset ?? "run"}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";

    private static string? FullPath(string? path) => path is null ? null : Path.GetFullPath(path);

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw Usage(message);
        }
    }

    private static CliException Usage(string message) => new(message, ExitCodes.Usage);
}
