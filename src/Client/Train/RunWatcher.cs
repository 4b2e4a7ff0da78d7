using System.Diagnostics;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Client.Telemetry;
using DistTrain.Grains;

namespace DistTrain.Client.Train;

/// <summary>What watching a run to its end gave.</summary>
internal sealed record WatchResult(RunStatus Final, IReadOnlyList<EpochRow> History, double Seconds, double? SamplesPerSecond, bool StoppedEarly);

/// <summary>
/// Follows a run by polling its coordinator grain until it completes, stops or fails:
/// feeds the progress view and the client gauges, evaluates each finished epoch on the
/// validation split (when asked) and applies early stopping by stopping the run.
/// </summary>
internal sealed class RunWatcher(ITrainingRunGrain run, TimeSpan pollInterval, ClientRunMetrics metrics)
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
    /// How long status polls may keep failing before watching gives up. A killed silo that
    /// hosted the coordinator fails every poll until the membership declares it dead (tens of
    /// seconds with Orleans' default probes) and the coordinator is reactivated elsewhere.
    /// </summary>
    public TimeSpan StatusOutageLimit { get; init; } = DefaultStatusOutageLimit;

    /// <summary>Default of <see cref="StatusOutageLimit"/>: two minutes.</summary>
    internal static TimeSpan DefaultStatusOutageLimit { get; } = TimeSpan.FromMinutes(2);

    public async Task<WatchResult> WatchAsync(IRunProgress progress, CancellationToken cancellationToken)
    {
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
                    progress.Notice($"status poll failed ({DistTrainCli.OneLine(ex.Message)}); retrying for up to {StatusOutageLimit.TotalSeconds:F0} s (a silo may be down)");
                }

                await Task.Delay(pollInterval * 2, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (status.State == RunState.NotStarted)
            {
                throw new CliException($"run '{status.RunId}' does not exist (never started).");
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

            for (var e = history.Count; e < status.Epochs.Count; e++)
            {
                var summary = status.Epochs[e];
                var validation = Validate is null || e < status.Epochs.Count - 1 ? null : await Validate(summary.Epoch, cancellationToken).ConfigureAwait(false);
                var row = new EpochRow(summary.Epoch + 1, summary.Loss, HasAccuracy ? NullIfNaN(summary.Accuracy) : null, validation?.Loss, validation?.Accuracy, summary.Seconds);
                history.Add(row);
                metrics.RecordValidation(row.ValidationLoss, row.ValidationAccuracy);
                progress.EpochDone(row, EpochsOf(status));
                if (!stoppedEarly && status.State == RunState.Running && EarlyStopping?.ShouldStop(row) == true)
                {
                    stoppedEarly = true;
                    progress.Notice($"early stopping: {EarlyStopping.Rule.Monitor} has not improved for {EarlyStopping.Rule.Patience} epochs");
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
    internal static async Task<(RunStatus Status, RunSpec? Spec)> AttachAsync(ITrainingRunGrain run, TimeSpan pollInterval, TimeSpan outageLimit, Action<string> notice, CancellationToken cancellationToken)
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
                    notice($"call to the run failed ({DistTrainCli.OneLine(ex.Message)}); retrying for up to {outageLimit.TotalSeconds:F0} s (a silo may be down)");
                }

                await Task.Delay(pollInterval * 2, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal static int EpochsOf(RunStatus status) =>
        status.StepsPerEpoch > 0 ? (int)Math.Max(1, (status.TotalSteps + status.StepsPerEpoch - 1) / status.StepsPerEpoch) : status.Epochs.Count;

    private static double? NullIfNaN(double value) => double.IsFinite(value) ? value : null;
}
