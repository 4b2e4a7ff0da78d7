using DistTrain.TensorBoard;

namespace DistTrain.Grains.Telemetry;

/// <summary>
/// A run's TensorBoard log, written by its coordinator (one log however many silos train) into
/// three runs (sub-folders) of the log directory:
/// <list type="bullet">
/// <item><c>steps</c>, at step = <see cref="StepReport.Step"/>: <c>loss</c>, <c>accuracy</c>,
/// <c>learning_rate</c>, <c>gradient_norm</c>, <c>clipped</c> and <c>skipped</c> (0 or 1),
/// <c>samples_per_second</c>, <c>step_ms</c>, <c>workers</c>, the slowest worker's
/// <c>pull_ms</c>, <c>compute_ms</c> and <c>push_ms</c>, <c>wire_bytes</c> (between silos), and <c>worker_step_ms/{worker}</c>
/// (each worker call's round trip seen by the coordinator);</item>
/// <item><c>train</c>, at step = epochs completed (1 for the first): <c>epoch_loss</c>,
/// <c>epoch_accuracy</c>, <c>epoch_seconds</c>, <c>epoch_samples_per_second</c>,
/// <c>epoch_clipped_steps</c>, <c>epoch_skipped_steps</c>;</item>
/// <item><c>validation</c>, at the same steps: <c>epoch_loss</c>, <c>epoch_accuracy</c>, as
/// the console reports them.</item>
/// </list>
/// The same tag in <c>train</c> and <c>validation</c> puts both curves in one TensorBoard chart.
/// Accuracy is left out for regression models. The names are <see cref="RunLogLayout"/>'s. Not thread-safe (the grain's turns call it).
/// </summary>
internal sealed class RunEventLog : IDisposable
{
    public const string StepsRun = RunLogLayout.StepsRun;
    public const string TrainRun = RunLogLayout.TrainRun;
    public const string ValidationRun = RunLogLayout.ValidationRun;
    public const string WorkerStepPrefix = RunLogLayout.WorkerStepPrefix;

    private readonly ScalarWriter _steps;
    private readonly ScalarWriter _train;
    private readonly ScalarWriter _validation;
    private readonly int _batchSize;
    private readonly bool _hasAccuracy;
    private readonly List<(long Step, int Epoch, bool Clipped, bool Skipped)> _epochSteps = [];
    private readonly List<(string Tag, double Value)> _scalars = [];

    /// <summary>A log under <paramref name="directory"/> for steps of <paramref name="batchSize"/> samples.</summary>
    public RunEventLog(string directory, int batchSize, bool hasAccuracy, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Directory = directory;
        _batchSize = batchSize;
        _hasAccuracy = hasAccuracy;
        _steps = new ScalarWriter(Path.Combine(directory, StepsRun), time);
        _train = new ScalarWriter(Path.Combine(directory, TrainRun), time);
        _validation = new ScalarWriter(Path.Combine(directory, ValidationRun), time);
    }

    /// <summary>The log directory.</summary>
    public string Directory { get; }

    /// <summary>Writes one step's scalars; <paramref name="workers"/> are the worker calls' round trips.</summary>
    public void Step(StepReport report, IEnumerable<(string Worker, double Milliseconds)> workers)
    {
        ArgumentNullException.ThrowIfNull(report);
        _epochSteps.RemoveAll(s => s.Step >= report.Step); // a rewind to a checkpoint trains these steps again
        _epochSteps.Add((report.Step, report.Epoch, report.Clipped, report.Skipped));
        _scalars.Clear();
        _scalars.Add(("loss", report.Loss));
        if (_hasAccuracy)
        {
            _scalars.Add(("accuracy", report.Accuracy));
        }

        _scalars.Add(("learning_rate", report.LearningRate));
        _scalars.Add(("gradient_norm", report.GradientNorm));
        _scalars.Add(("clipped", report.Clipped ? 1 : 0));
        _scalars.Add(("skipped", report.Skipped ? 1 : 0));
        _scalars.Add(("samples_per_second", report.Milliseconds > 0 ? _batchSize / (report.Milliseconds / 1000.0) : double.NaN));
        _scalars.Add(("step_ms", report.Milliseconds));
        _scalars.Add(("workers", report.Workers));
        _scalars.Add(("pull_ms", report.PullMilliseconds));
        _scalars.Add(("compute_ms", report.ComputeMilliseconds));
        _scalars.Add(("push_ms", report.PushMilliseconds));
        _scalars.Add(("wire_bytes", report.WireBytes));
        foreach (var (worker, milliseconds) in workers)
        {
            _scalars.Add((WorkerStepPrefix + worker, milliseconds));
        }

        _steps.Write(report.Step, [.. _scalars]);
    }

    /// <summary>Writes a finished epoch's scalars and flushes the log.</summary>
    public void Epoch(EpochSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        long clipped = _epochSteps.Count(s => s.Epoch == summary.Epoch && s.Clipped);
        long skipped = _epochSteps.Count(s => s.Epoch == summary.Epoch && s.Skipped);
        _epochSteps.RemoveAll(s => s.Epoch <= summary.Epoch);
        _scalars.Clear();
        _scalars.Add(("epoch_loss", summary.Loss));
        if (_hasAccuracy)
        {
            _scalars.Add(("epoch_accuracy", summary.Accuracy));
        }

        _scalars.Add(("epoch_seconds", summary.Seconds));
        _scalars.Add(("epoch_samples_per_second", summary.Seconds > 0 ? summary.Steps * _batchSize / summary.Seconds : double.NaN));
        _scalars.Add(("epoch_clipped_steps", clipped));
        _scalars.Add(("epoch_skipped_steps", skipped));
        _train.Write(summary.Epoch + 1, [.. _scalars]);
        Flush();
    }

    /// <summary>Writes the validation metrics of epoch <paramref name="epoch"/> (from 0) and flushes them.</summary>
    public void Validation(int epoch, double loss, double? accuracy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (_hasAccuracy && accuracy is { } a)
        {
            _validation.Write(epoch + 1, ("epoch_loss", loss), ("epoch_accuracy", a));
        }
        else
        {
            _validation.Write(epoch + 1, ("epoch_loss", loss));
        }

        _validation.Flush();
    }

    /// <summary>Hands every buffered record to the operating system.</summary>
    public void Flush()
    {
        _steps.Flush();
        _train.Flush();
        _validation.Flush();
    }

    /// <summary>Flushes and closes the event files.</summary>
    public void Dispose()
    {
        _steps.Dispose();
        _train.Dispose();
        _validation.Dispose();
    }
}
