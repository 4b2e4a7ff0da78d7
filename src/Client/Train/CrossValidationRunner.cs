using System.Diagnostics;
using System.Globalization;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Grains.Runs;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Client.Train;

/// <summary>
/// <c>disttrain train --folds k</c>: k-fold cross-validation with the Kernels'
/// <see cref="CrossValidation"/> in this process, on the CPU engine. Each fold is a
/// <see cref="LocalTrainer"/> run, which is the bit-exact reference of a cluster run with the
/// same settings, so no cluster is started: k runs of the same small job gain nothing from one.
/// </summary>
internal static class CrossValidationRunner
{
    /// <summary>Trains the k folds on <paramref name="samples"/> (the data set's training split) and prints per-epoch progress and the result.</summary>
    public static CrossValidationSummary Run(TrainRequest request, IDataSet samples, CliConsole console, bool json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(samples);
        var spec = ModelSpec.FromJson(request.ModelSpecJson);
        if (spec.InputSize != samples.InputSize)
        {
            throw new CliException($"the model takes {spec.InputSize} inputs per sample but {request.Data} has {samples.InputSize}.");
        }

        var options = new TrainingOptions(
            request.BatchSize,
            request.Epochs,
            request.Optimizer.ToSpec(),
            request.MicroShards,
            request.Seed,
            EarlyStopping: request.EarlyStoppingMonitor is { } monitor ? new EarlyStopping(monitor, request.Patience) : null);
        var model = request.Preset ?? "custom model";
        if (!json)
        {
            console.Out.WriteLine($"{request.Folds}-fold cross-validation in this process (CPU): {model}, {request.Data} ({samples.Count:N0} samples), {request.Epochs} epochs, batch {request.BatchSize}");
            console.Out.Flush();
        }

        var clock = Stopwatch.StartNew();
        using var backend = new CpuBackend();
        var result = CrossValidation.Run(spec, options, samples, request.Folds, backend, (fold, epoch) =>
        {
            if (!json)
            {
                console.Out.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"fold {fold + 1}/{request.Folds} epoch {epoch.Epoch + 1}/{request.Epochs}: loss {SummaryView.Number(epoch.Loss)}, val_loss {SummaryView.Number(epoch.ValidationLoss)}{(spec.Loss == LossKind.MeanSquaredError ? string.Empty : $", val_accuracy {SummaryView.Percent(epoch.ValidationAccuracy)}")}"));
                console.Out.Flush();
            }
        }, cancellationToken);

        return Summarize(result, model, request.Data.ToString(), clock.Elapsed.TotalSeconds);
    }

    /// <summary>The console's view of <paramref name="result"/>: NaN metrics (accuracy of a regression) become null.</summary>
    public static CrossValidationSummary Summarize(CrossValidationResult result, string model, string data, double seconds)
    {
        ArgumentNullException.ThrowIfNull(result);
        var folds = result.Folds.Select(f => new FoldSummary(
            f.Fold + 1,
            f.TrainSamples,
            f.ValidationSamples,
            f.History.Epochs.Count,
            f.Validation.Loss,
            Finite(f.Validation.Accuracy),
            Finite(f.Validation.TopKAccuracy))).ToList();
        return new CrossValidationSummary(
            model,
            data,
            folds.Count,
            folds,
            new MeanStd(result.Loss.Mean, result.Loss.StdDev),
            Pair(result.Accuracy),
            result.Folds.Count > 0 ? result.Folds[0].Validation.TopK : 0,
            Pair(result.TopKAccuracy),
            Math.Round(seconds, 3));
    }

    /// <summary>Prints the summary: the folds table, or one JSON object.</summary>
    public static void Print(CliConsole console, bool json, CrossValidationSummary summary)
    {
        if (json)
        {
            JsonOutput.Write(console.Out, summary);
        }
        else
        {
            CrossValidationView.Render(console.Ansi, summary);
        }
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static MeanStd? Pair((double Mean, double StdDev) value) =>
        double.IsFinite(value.Mean) ? new MeanStd(value.Mean, value.StdDev) : null;
}
