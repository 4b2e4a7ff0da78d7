using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DistTrain.Grains.Telemetry;

/// <summary>
/// The one <see cref="Meter"/> of DistTrain, named <see cref="MeterName"/>. The grains
/// record into it; the silo and the client export it through OpenTelemetry
/// (<c>AddMeter(TrainingMetrics.MeterName)</c>). Every measurement carries the tag
/// <c>run</c>; per-worker latency also carries <c>worker</c>.
/// </summary>
public static class TrainingMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "DistTrain";

    private static readonly Meter Meter = new(MeterName, typeof(TrainingMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>Wall time of one global step at the coordinator (ms).</summary>
    public static readonly Histogram<double> StepTime = Meter.CreateHistogram<double>("disttrain.step.duration", "ms", "Wall time of one global step at the coordinator.");

    /// <summary>Training throughput of the last step.</summary>
    public static readonly Gauge<double> SamplesPerSecond = Meter.CreateGauge<double>("disttrain.samples_per_second", "{sample}/s", "Samples per second of the last step.");

    /// <summary>Mean training loss of the last step.</summary>
    public static readonly Gauge<double> Loss = Meter.CreateGauge<double>("disttrain.loss", null, "Mean training loss of the last step.");

    /// <summary>Training accuracy of the last step.</summary>
    public static readonly Gauge<double> Accuracy = Meter.CreateGauge<double>("disttrain.accuracy", null, "Training accuracy of the last step.");

    /// <summary>Global norm of the mean gradient before clipping.</summary>
    public static readonly Gauge<double> GradientNorm = Meter.CreateGauge<double>("disttrain.gradient.norm", null, "Global norm of the mean gradient before clipping.");

    /// <summary>Learning rate applied by the last step.</summary>
    public static readonly Gauge<double> LearningRate = Meter.CreateGauge<double>("disttrain.learning_rate", null, "Learning rate of the last step after the schedule.");

    /// <summary>Steps whose gradient was clipped.</summary>
    public static readonly Counter<long> ClippedSteps = Meter.CreateCounter<long>("disttrain.steps.clipped", "{step}", "Steps whose gradient was clipped to the clip norm.");

    /// <summary>Steps skipped for a non-finite gradient.</summary>
    public static readonly Counter<long> SkippedSteps = Meter.CreateCounter<long>("disttrain.steps.skipped", "{step}", "Steps skipped because the gradient was not finite.");

    /// <summary>Gradient bytes pushed by workers to the parameter server.</summary>
    public static readonly Counter<long> BytesPushed = Meter.CreateCounter<long>("disttrain.bytes.pushed", "By", "Gradient bytes pushed to the parameter server.");

    /// <summary>Weight bytes pulled by workers from the parameter server.</summary>
    public static readonly Counter<long> BytesPulled = Meter.CreateCounter<long>("disttrain.bytes.pulled", "By", "Weight bytes pulled from the parameter server.");

    /// <summary>Workers that computed the last step.</summary>
    public static readonly Gauge<int> Workers = Meter.CreateGauge<int>("disttrain.workers", "{worker}", "Workers that computed the last step.");

    /// <summary>Time one worker took for its share of a step, tagged <c>worker</c> (finds stragglers).</summary>
    public static readonly Histogram<double> WorkerStepLatency = Meter.CreateHistogram<double>("disttrain.worker.step.duration", "ms", "Time a worker took for its share of a step.");

    /// <summary>Bytes of weights and gradients that crossed between silos (grain messages to slices of other silos).</summary>
    public static readonly Counter<long> WireBytes = Meter.CreateCounter<long>("disttrain.bytes.wire", "By", "Weight and gradient bytes sent to or read from parameter-server slices on other silos.");

    /// <summary>Per worker: its forward and backward, without the waits for weights.</summary>
    public static readonly Histogram<double> WorkerComputeTime = Meter.CreateHistogram<double>("disttrain.worker.compute.duration", "ms", "Forward and backward of a worker's share of a step, waits for weights excluded.");

    /// <summary>Per worker: time its compute waited for weights in flight.</summary>
    public static readonly Histogram<double> WorkerPullWait = Meter.CreateHistogram<double>("disttrain.worker.pull_wait.duration", "ms", "Time a worker's compute waited for the step's weights.");

    /// <summary>Per worker: time after its backward until every push was taken.</summary>
    public static readonly Histogram<double> WorkerPushWait = Meter.CreateHistogram<double>("disttrain.worker.push_wait.duration", "ms", "Time a worker waited after its backward for its gradient pushes.");

    /// <summary>The tag list <c>run=runId</c>.</summary>
    public static TagList Run(string runId) => new() { { "run", runId } };

    /// <summary>The tag list <c>run=runId, worker=workerKey</c>.</summary>
    public static TagList Worker(string runId, string worker) => new() { { "run", runId }, { "worker", worker } };
}
