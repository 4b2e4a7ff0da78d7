using DistTrain.Client.Cli;
using DistTrain.Client.Cluster;
using DistTrain.Client.Output;
using DistTrain.Client.Telemetry;
using DistTrain.Grains;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace DistTrain.Client.Train;

/// <summary>
/// Follows a started run to its end (shared by <c>train</c> and <c>watch</c>) and builds
/// its <see cref="RunSummary"/>: the watcher's history and throughput plus the final
/// weights evaluated on the validation and test splits when an evaluator is given.
/// </summary>
internal sealed class RunFollower(ClusterConnection cluster, ITrainingRunGrain run, string runId, CliHooks hooks)
{
    private readonly Dictionary<int, EvaluationMetrics> _logged = [];
    private string? _logError;

    /// <summary>Samples per step, when known.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Evaluates weights on the run's splits; null skips validation and test metrics.</summary>
    public RunEvaluator? Evaluator { get; init; }

    /// <summary>Early stopping, applied as epochs finish.</summary>
    public EarlyStoppingTracker? EarlyStopping { get; init; }

    public async Task<RunSummary> FollowAsync(CliConsole console, bool json, CancellationToken cancellationToken)
    {
        using var metrics = new ClientRunMetrics(runId);
        var evaluator = Evaluator;
        var watcher = new RunWatcher(run, hooks.PollInterval, metrics)
        {
            BatchSize = BatchSize,
            HasAccuracy = evaluator?.ModelSpec.Loss != Kernels.Models.LossKind.MeanSquaredError,
            EarlyStopping = EarlyStopping,
            Validate = evaluator is { HasValidation: true }
                ? async (epoch, ct) =>
                {
                    var metrics = await run.GetWeights().WaitAsync(ct) is { } w ? evaluator.Evaluate(w, "validation") : null;
                    if (metrics is not null)
                    {
                        await LogValidationAsync(epoch, metrics, ct).ConfigureAwait(false);
                    }

                    return metrics;
                }
                : null,
        };
        var result = await ProgressView.RunAsync(console, json, progress => watcher.WatchAsync(progress, cancellationToken)).ConfigureAwait(false);
        var final = result.Final;

        // Export the final values while the gauges still exist.
        cluster.Services.GetService<MeterProvider>()?.ForceFlush(5000);

        EvaluationMetrics? validation = null, test = null;
        IReadOnlyDictionary<string, float[]>? parameters = null;
        string? error = final.Error;
        if (evaluator is not null && final.State != RunState.Failed)
        {
            var weights = await FinalWeightsAsync(final, evaluator, cancellationToken).ConfigureAwait(false);
            if (weights is null)
            {
                error ??= "the final weights were not available (no weights from the run, no readable checkpoint): not evaluated.";
            }
            else
            {
                validation = evaluator.HasValidation ? evaluator.Evaluate(weights, "validation") : null;
                test = evaluator.HasTest ? evaluator.Evaluate(weights, "test") : null;
                parameters = evaluator.SmallParameters(weights);
            }
        }

        var last = final.Epochs.Count > 0 ? final.Epochs[^1] : null;
        var train = last is null ? null : new EvaluationMetrics(last.Loss, watcher.HasAccuracy && double.IsFinite(last.Accuracy) ? last.Accuracy : null);
        var history = result.History;
        if (validation is not null && history.Count > 0)
        {
            // The last epoch's validation is that of the final weights, measured exactly.
            history = [.. history.Take(history.Count - 1), history[^1] with { ValidationLoss = validation.Loss, ValidationAccuracy = validation.Accuracy }];
            if (last is not null)
            {
                await LogValidationAsync(last.Epoch, validation, cancellationToken).ConfigureAwait(false);
            }
        }

        if (_logError is not null)
        {
            console.Error.WriteLine($"disttrain: the validation metrics are missing from the run's TensorBoard log: {_logError}");
        }

        return new RunSummary(
            runId,
            final.State.ToString(),
            cluster.Settings.Embedded ? "embedded" : cluster.Settings.Describe(),
            final.Epochs.Count,
            final.Step,
            final.Workers,
            Math.Round(result.Seconds, 3),
            result.SamplesPerSecond is { } rate ? Math.Round(rate, 1) : null,
            train,
            validation,
            test,
            final.SkippedSteps,
            final.ClippedSteps,
            result.StoppedEarly,
            final.LastCheckpoint,
            error,
            history,
            parameters,
            final.LogDirectory);
    }

    /// <summary>Prints the summary (table or JSON) and, for a failed run, the reason on standard error.</summary>
    public static void Print(CliConsole console, bool json, RunSummary summary)
    {
        if (json)
        {
            JsonOutput.Write(console.Out, summary);
        }
        else
        {
            SummaryView.Render(console.Ansi, summary);
        }

        if (summary.State == nameof(RunState.Failed))
        {
            console.Error.WriteLine($"disttrain: run {summary.RunId} failed: {DistTrainCli.OneLine(summary.Error ?? "no reason given")}");
        }
    }

    /// <summary>
    /// Hands epoch <paramref name="epoch"/>'s validation metrics to the coordinator, which adds
    /// them to the run's TensorBoard log (the console computes them; the coordinator owns the log).
    /// An epoch whose metrics were already sent unchanged is not sent again; a failure is kept
    /// for one note at the end and does not stop the watch.
    /// </summary>
    private async Task LogValidationAsync(int epoch, EvaluationMetrics metrics, CancellationToken cancellationToken)
    {
        if (_logged.TryGetValue(epoch, out var sent) && sent == metrics)
        {
            return;
        }

        try
        {
            await run.ReportValidation(epoch, metrics.Loss, metrics.Accuracy).WaitAsync(cancellationToken).ConfigureAwait(false);
            _logged[epoch] = metrics;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logError ??= DistTrainCli.OneLine(ex.Message);
        }
    }

    private async Task<float[]?> FinalWeightsAsync(RunStatus final, RunEvaluator evaluator, CancellationToken cancellationToken)
    {
        var weights = await run.GetWeights().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (weights is not null)
        {
            return weights;
        }

        return final.LastCheckpoint is { } path && File.Exists(path) ? evaluator.WeightsFromCheckpoint(path) : null;
    }
}
