using DistTrain.Grains;
using DistTrain.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace DistTrain.Runs;

/// <summary>
/// Follows a started run to its end (shared by the console's <c>train</c> and <c>watch</c> and
/// by <see cref="Model.Fit"/>) and builds its <see cref="RunSummary"/>: the watcher's history
/// and throughput plus the final weights evaluated on the validation and test splits when an
/// evaluator is given.
/// </summary>
/// <param name="cluster">The connection the run was reached through.</param>
/// <param name="run">The run's coordinator grain.</param>
/// <param name="runId">The run's id.</param>
/// <param name="pollInterval">Time between status polls.</param>
public sealed class RunFollower(ClusterConnection cluster, ITrainingRunGrain run, string runId, TimeSpan pollInterval)
{
    private readonly Dictionary<int, EvaluationMetrics> _logged = [];
    private string? _logError;

    /// <summary>Samples per step, when known.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Evaluates weights on the run's splits; null skips validation and test metrics.</summary>
    public RunEvaluator? Evaluator { get; init; }

    /// <summary>Whether the final weights are evaluated on the test split (when the data set has one).</summary>
    public bool EvaluateTest { get; init; } = true;

    /// <summary>Early stopping, applied as epochs finish.</summary>
    public EarlyStoppingTracker? EarlyStopping { get; init; }

    /// <summary>Receives every step's report (see <see cref="RunWatcher.StepReported"/>).</summary>
    public Action<StepReport>? StepReported { get; init; }

    /// <summary>Asked after every finished epoch; a reason stops the run (see <see cref="RunWatcher.StopRequested"/>).</summary>
    public Func<EpochRow, string?>? StopRequested { get; init; }

    /// <summary>
    /// Why the validation metrics could not be added to the run's TensorBoard log (the first
    /// failure), or null when every epoch's metrics reached it; the watch goes on either way.
    /// </summary>
    public string? ValidationLogError => _logError;

    /// <summary>The final weights, once <see cref="FollowAsync"/> has read them (null when not evaluated or not available).</summary>
    public float[]? FinalWeights { get; private set; }

    /// <summary>Watches the run to its end, reporting to <paramref name="progress"/>, and summarises it.</summary>
    public async Task<RunSummary> FollowAsync(IRunProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        using var metrics = new ClientRunMetrics(runId);
        var evaluator = Evaluator;
        var watcher = new RunWatcher(run, pollInterval, metrics)
        {
            BatchSize = BatchSize,
            HasAccuracy = evaluator?.ModelSpec.Loss != Kernels.Models.LossKind.MeanSquaredError,
            EarlyStopping = EarlyStopping,
            StepReported = StepReported,
            StopRequested = StopRequested,
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
        var result = await watcher.WatchAsync(progress, cancellationToken).ConfigureAwait(false);
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
                FinalWeights = weights;
                validation = evaluator.HasValidation ? evaluator.Evaluate(weights, "validation") : null;
                test = EvaluateTest && evaluator.HasTest ? evaluator.Evaluate(weights, "test") : null;
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
            _logError ??= ErrorText.OneLine(ex.Message);
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
