using DistTrain.Grains.Telemetry;
using DistTrain.Kernels.Models;
using Microsoft.Extensions.Logging;

namespace DistTrain.Grains.Runs;

/// <summary>
/// The coordinator's TensorBoard log (<see cref="RunEventLog"/>): the step loop hands it each
/// step's report and each finished epoch, the console its validation metrics. A log that
/// cannot be written is given up with a warning; the run goes on.
/// </summary>
internal sealed partial class TrainingRunGrain
{
    private readonly List<(long Step, string Worker, double Milliseconds)> _workerTimes = [];
    private RunEventLog? _eventLog;
    private bool _eventLogFailed;

    /// <summary>Where the run's event files go; null before it has a spec.</summary>
    private string? EventLogDirectory =>
        _run?.LogDirectory ?? (S.Spec is { } spec ? RunContext.LogDirectoryOf(RunId, spec, _options.CheckpointRoot) : null);

    /// <inheritdoc />
    public Task ReportValidation(int epoch, double loss, double? accuracy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        WriteEventLog(log => log.Validation(epoch, loss, accuracy));
        return Task.CompletedTask;
    }

    /// <summary>Notes the round trip of one worker call of <paramref name="step"/>, logged with the step.</summary>
    private void NoteWorkerTime(long step, string worker, double milliseconds) => _workerTimes.Add((step, worker, milliseconds));

    /// <summary>Logs a step with its workers' round trips: those of the report's per-worker phases, else those noted for it.</summary>
    private void LogStep(StepReport report)
    {
        var workers = report.Stragglers is { Count: > 0 } phases
            ? phases.Select(p => (p.WorkerKey, p.Milliseconds)).ToList()
            : _workerTimes.Where(w => w.Step == report.Step).Select(w => (w.Worker, w.Milliseconds)).ToList();
        _workerTimes.Clear();
        WriteEventLog(log => log.Step(report, workers));
    }

    /// <summary>Logs a finished epoch.</summary>
    private void LogEpoch(EpochSummary summary) => WriteEventLog(log => log.Epoch(summary));

    /// <summary>Closes the event files (a later write opens new ones).</summary>
    private void CloseEventLog()
    {
        var log = _eventLog;
        _eventLog = null;
        try
        {
            log?.Dispose();
        }
        catch (IOException e)
        {
            LogEventLogFailed(e, RunId, log!.Directory);
        }
    }

    private void WriteEventLog(Action<RunEventLog> write)
    {
        if (_eventLogFailed || S.Spec is not { } spec || EventLogDirectory is not { } directory)
        {
            return;
        }

        try
        {
            _eventLog ??= new RunEventLog(directory, spec.BatchSize, hasAccuracy: (_run?.Model ?? ModelSpec.FromJson(spec.ModelSpecJson, layerTypes.Resolver)).Loss != LossKind.MeanSquaredError);
            write(_eventLog);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _eventLogFailed = true;
            LogEventLogFailed(e, RunId, directory);
            CloseEventLog();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: the TensorBoard log in {Directory} cannot be written; the run goes on without it")]
    private partial void LogEventLogFailed(Exception exception, string runId, string directory);
}
