using System.Diagnostics.Metrics;
using DistTrain.Grains;
using DistTrain.Silo.Telemetry;

namespace DistTrain.Runs;

/// <summary>
/// The client's view of a watched run as observable gauges on the "DistTrain" meter, read
/// from the polled status (the silos export their own, per-step instruments). Tagged with
/// <c>run.id</c>; exported by whatever <c>AddDistTrainTelemetry</c> configured.
/// </summary>
public sealed class ClientRunMetrics : IDisposable
{
    /// <summary>Prefix of every client-side instrument.</summary>
    public const string Prefix = "disttrain.client.";

    private readonly Meter _meter;
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly Lock _gate = new();
    private RunStatus? _status;
    private double _samplesPerSecond = double.NaN;
    private double _validationLoss = double.NaN;
    private double _validationAccuracy = double.NaN;

    /// <summary>Creates the gauges of run <paramref name="runId"/>.</summary>
    public ClientRunMetrics(string runId)
    {
        _tags = [new("run.id", runId)];
        _meter = new Meter(TelemetryServiceCollectionExtensions.MeterName);
        Gauge("run.step", "{step}", "Steps the run has applied.", s => s.Step);
        Gauge("run.epoch", "{epoch}", "Epoch of the next step.", s => s.Epoch);
        Gauge("run.progress", "1", "Fraction of the run's steps done.", s => s.TotalSteps > 0 ? (double)s.Step / s.TotalSteps : double.NaN);
        Gauge("run.loss", "1", "Training loss of the last step.", s => s.LastLoss);
        Gauge("run.accuracy", "1", "Training accuracy of the last step.", s => s.LastAccuracy);
        Gauge("run.workers", "{worker}", "Workers of the last step.", s => s.Workers);
        Gauge("run.skipped_steps", "{step}", "Steps skipped for a non-finite gradient.", s => s.SkippedSteps);
        Gauge("run.clipped_steps", "{step}", "Steps whose gradient was clipped.", s => s.ClippedSteps);
        Gauge("run.samples_per_second", "{sample}/s", "Training throughput measured between polls.", _ => _samplesPerSecond);
        Gauge("run.validation_loss", "1", "Loss on the validation split after the last epoch.", _ => _validationLoss);
        Gauge("run.validation_accuracy", "1", "Accuracy on the validation split after the last epoch.", _ => _validationAccuracy);
    }

    /// <summary>Records the latest polled status and throughput.</summary>
    public void Record(RunStatus status, double? samplesPerSecond)
    {
        lock (_gate)
        {
            _status = status;
            _samplesPerSecond = samplesPerSecond ?? double.NaN;
        }
    }

    /// <summary>Records the validation metrics of the last finished epoch.</summary>
    public void RecordValidation(double? loss, double? accuracy)
    {
        lock (_gate)
        {
            _validationLoss = loss ?? double.NaN;
            _validationAccuracy = accuracy ?? double.NaN;
        }
    }

    /// <summary>Removes the gauges.</summary>
    public void Dispose() => _meter.Dispose();

    private void Gauge(string name, string unit, string description, Func<RunStatus, double> read) =>
        _meter.CreateObservableGauge(Prefix + name, () => Observe(read), unit, description);

    private IEnumerable<Measurement<double>> Observe(Func<RunStatus, double> read)
    {
        lock (_gate)
        {
            if (_status is null)
            {
                return [];
            }

            var value = read(_status);
            return double.IsFinite(value) ? [new Measurement<double>(value, _tags)] : [];
        }
    }
}
