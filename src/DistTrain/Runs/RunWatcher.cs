using System.Diagnostics;
using DistTrain.Grains;
using DistTrain.Hosting;

namespace DistTrain.Runs;

/// <summary>What watching a run to its end gave.</summary>
/// <param name="Final">The run's last polled status.</param>
/// <param name="History">One row per finished epoch.</param>
/// <param name="Seconds">Wall time of the watch.</param>
/// <param name="SamplesPerSecond">Training throughput over the watch, when the batch size is known.</param>
/// <param name="StoppedEarly">Whether early stopping (or a stop request) ended the run.</param>
public sealed record WatchResult(RunStatus Final, IReadOnlyList<EpochRow> History, double Seconds, double? SamplesPerSecond, bool StoppedEarly);

/// <summary>
/// Follows a run by polling its coordinator grain until it completes, stops or fails:
/// feeds the progress view and the client gauges, evaluates each finished epoch on the
/// validation split (when asked) and applies early stopping by stopping the run.
/// </summary>
/// <param name="run">The run's coordinator grain.</param>
/// <param name="pollInterval">Time between status polls.</param>
/// <param name="metrics">The client-side gauges to feed.</param>
public sealed class RunWatcher(ITrainingRunGrain run, TimeSpan pollInterval, ClientRunMetrics metrics)
{
    /// <summary>Samples per step, when known, for samples/s.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Validation loss and accuracy of the run's current weights after the epoch given (from 0), or null.</summary>
    public Func<int, CancellationToken, Task<EvaluationMetrics?>>? Validate { get; init; }

    /// <summary>False for regression models, whose accuracy means nothing.</summary>
    public bool HasAccuracy { get; init; } = true;

    /// <summary>Stops the run when its monitored metric stalls.</summary>
    public EarlyStoppingTracker? EarlyStopping { get; init; }

    /// <summary>
    /// Receives every step's report, oldest first (polled with <see cref="ITrainingRunGrain.GetReports"/>
    /// once per status poll; the coordinator holds the last few hundred). Null polls no reports.
    /// </summary>
    public Action<StepReport>? StepReported { get; init; }

    /// <summary>
    /// Asked after every finished epoch (after <see cref="IRunProgress.EpochDone"/>): a non-null
    /// reason stops the run, as early stopping does.
    /// </summary>
    public Func<EpochRow, string?>? StopRequested { get; init; }

    /// <summary>
    /// How long status polls may keep failing before watching gives up. A killed silo that
    /// hosted the coordinator fails every poll until the membership declares it dead (tens of
    /// seconds with Orleans' default probes) and the coordinator is reactivated elsewhere.
    /// </summary>
    public TimeSpan StatusOutageLimit { get; init; } = DefaultStatusOutageLimit;

    /// <summary>Default of <see cref="StatusOutageLimit"/>: two minutes.</summary>
    public static TimeSpan DefaultStatusOutageLimit { get; } = TimeSpan.FromMinutes(2);

    /// <summary>Polls the run until it completes, stops or fails, reporting to <paramref name="progress"/>.</summary>
    public async Task<WatchResult> WatchAsync(IRunProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var reportedStep = -1L;
        var clock = Stopwatch.StartNew();
        var history = new List<EpochRow>();
        long? firstStep = null;
        var lastStep = 0L;
        var lastTime = TimeSpan.Zero;
        double? rate = null;
        var stoppedEarly = false;
        TimeSpan? failingSince = null;
        while (true)
        {
            RunStatus status;
            try
            {
                status = await run.GetStatus().WaitAsync(cancellationToken).ConfigureAwait(false);
                if (failingSince is { } since)
                {
                    progress.Notice($"the run answers again after {(clock.Elapsed - since).TotalSeconds:F0} s");
                    failingSince = null;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException && clock.Elapsed - (failingSince ?? clock.Elapsed) < StatusOutageLimit)
            {
                // A silo going down mid-poll: Orleans re-activates the coordinator elsewhere once
                // the membership declares the silo dead, and the run goes on from its checkpoint.
                if (failingSince is null)
                {
                    failingSince = clock.Elapsed;
                    progress.Notice($"status poll failed ({ErrorText.OneLine(ex.Message)}); retrying for up to {StatusOutageLimit.TotalSeconds:F0} s (a silo may be down)");
                }

                await Task.Delay(pollInterval * 2, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (status.State == RunState.NotStarted)
            {
                throw new DistTrainException($"run '{status.RunId}' does not exist (never started).");
            }

            var now = clock.Elapsed;
            firstStep ??= status.Step;
            if (BatchSize is { } batch && status.Step > lastStep && now > lastTime && lastTime > TimeSpan.Zero)
            {
                var instant = (status.Step - lastStep) * batch / (now - lastTime).TotalSeconds;
                rate = rate is null ? instant : (0.7 * rate.Value) + (0.3 * instant);
            }

            if (status.Step != lastStep || lastTime == TimeSpan.Zero)
            {
                lastStep = status.Step;
                lastTime = now;
            }

            if (StepReported is { } onStep)
            {
                reportedStep = await ForwardReportsAsync(onStep, reportedStep, cancellationToken).ConfigureAwait(false);
            }

            for (var e = history.Count; e < status.Epochs.Count; e++)
            {
                var summary = status.Epochs[e];
                var validation = Validate is null || e < status.Epochs.Count - 1 ? null : await Validate(summary.Epoch, cancellationToken).ConfigureAwait(false);
                var row = new EpochRow(summary.Epoch + 1, summary.Loss, HasAccuracy ? NullIfNaN(summary.Accuracy) : null, validation?.Loss, validation?.Accuracy, summary.Seconds);
                history.Add(row);
                metrics.RecordValidation(row.ValidationLoss, row.ValidationAccuracy);
                progress.EpochDone(row, EpochsOf(status));
                if (!stoppedEarly && status.State == RunState.Running && StopReason(row) is { } reason)
                {
                    stoppedEarly = true;
                    progress.Notice(reason);
                    await run.Stop().WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            var stepsPerSecond = rate is { } r && BatchSize is { } b ? r / b : (double?)null;
            TimeSpan? remaining = stepsPerSecond is > 0 && status.TotalSteps > status.Step
                ? TimeSpan.FromSeconds((status.TotalSteps - status.Step) / stepsPerSecond.Value)
                : null;
            var shown = HasAccuracy ? status : status with { LastAccuracy = double.NaN };
            metrics.Record(shown, rate);
            progress.Update(shown, rate, remaining);
            if (status.State is RunState.Completed or RunState.Stopped or RunState.Failed)
            {
                var seconds = clock.Elapsed.TotalSeconds;
                double? overall = BatchSize is { } size && seconds > 0 ? (status.Step - firstStep.Value) * size / seconds : null;
                return new WatchResult(status, history, seconds, overall, stoppedEarly);
            }

            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The run's status and spec for a client that attaches (or re-attaches) to it, retrying
    /// failed calls for up to <paramref name="outageLimit"/>: attaching while the coordinator's
    /// silo is down waits for the failover instead of failing. The first failure is reported on
    /// <paramref name="notice"/>.
    /// </summary>
    public static async Task<(RunStatus Status, RunSpec? Spec)> AttachAsync(ITrainingRunGrain run, TimeSpan pollInterval, TimeSpan outageLimit, Action<string> notice, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var noticed = false;
        while (true)
        {
            try
            {
                var status = await run.GetStatus().WaitAsync(cancellationToken).ConfigureAwait(false);
                var spec = status.State == RunState.NotStarted ? null : await run.GetSpec().WaitAsync(cancellationToken).ConfigureAwait(false);
                return (status, spec);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && clock.Elapsed < outageLimit)
            {
                if (!noticed)
                {
                    noticed = true;
                    notice($"call to the run failed ({ErrorText.OneLine(ex.Message)}); retrying for up to {outageLimit.TotalSeconds:F0} s (a silo may be down)");
                }

                await Task.Delay(pollInterval * 2, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The epochs <paramref name="status"/>'s run trains in all.</summary>
    public static int EpochsOf(RunStatus status) =>
        status.StepsPerEpoch > 0 ? (int)Math.Max(1, (status.TotalSteps + status.StepsPerEpoch - 1) / status.StepsPerEpoch) : status.Epochs.Count;

    private string? StopReason(EpochRow row)
    {
        if (EarlyStopping?.ShouldStop(row) == true)
        {
            return $"early stopping: {EarlyStopping.Rule.Monitor} has not improved for {EarlyStopping.Rule.Patience} epochs";
        }

        return StopRequested?.Invoke(row);
    }

    private async Task<long> ForwardReportsAsync(Action<StepReport> onStep, long afterStep, CancellationToken cancellationToken)
    {
        IReadOnlyList<StepReport> reports;
        try
        {
            reports = await run.GetReports(afterStep).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Reports are best effort; the status poll reports outages.
            return afterStep;
        }

        foreach (var report in reports)
        {
            if (report.Step > afterStep)
            {
                onStep(report);
                afterStep = report.Step;
            }
        }

        return afterStep;
    }

    private static double? NullIfNaN(double value) => double.IsFinite(value) ? value : null;
}
