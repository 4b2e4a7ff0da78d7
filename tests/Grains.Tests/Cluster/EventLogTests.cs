using DistTrain.Grains.Telemetry;
using DistTrain.Grains.Tests.TensorBoard;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>The TensorBoard log a coordinator writes during a real run on one silo.</summary>
[Collection(OneSiloCollection.Name)]
public sealed class EventLogTests(OneSiloFixture fixture) : IDisposable
{
    // Below the silo's checkpoint root: a run's log, like its checkpoints, may go nowhere else.
    private readonly string _directory = Directory.CreateDirectory(Path.Combine(DistTrainSiloConfigurator.CheckpointRoot, $"runlog-{Guid.NewGuid():N}")).FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TheCoordinatorLogsEveryStepEpochAndWorkerAndTheConsolesValidation()
    {
        // 32 steps of 64 out of 1024 samples: two epochs, on every worker of the silo.
        string logs = Path.Combine(_directory, "logs");
        var spec = TestRuns.Spec(TestRuns.SmallMlp(), TestRuns.Data(32), steps: 32, workers: 0) with { LogDirectory = logs };
        var run = fixture.Grains.GetGrain<ITrainingRunGrain>($"events-{Guid.NewGuid():N}");
        await run.Start(spec);
        var status = await TestRuns.WaitUntilSettled(run);
        Assert.True(status.State == RunState.Completed, $"{status.State}: {status.Error}");
        Assert.Equal(logs, status.LogDirectory);
        var reports = await run.GetReports(afterStep: -1);
        Assert.Equal(32, reports.Count);

        await run.ReportValidation(0, 0.75, 0.6);
        await run.ReportValidation(1, 0.5, 0.8);

        var steps = ReadAll(Path.Combine(logs, RunEventLog.StepsRun));
        foreach (var report in reports)
        {
            Assert.Equal((float)report.Loss, Single(steps, "loss", report.Step));
            Assert.Equal((float)report.Accuracy, Single(steps, "accuracy", report.Step));
            Assert.Equal((float)report.LearningRate, Single(steps, "learning_rate", report.Step));
            Assert.Equal((float)report.GradientNorm, Single(steps, "gradient_norm", report.Step));
            Assert.Equal((float)report.Milliseconds, Single(steps, "step_ms", report.Step));
            var workers = steps.Where(s => s.Step == report.Step && s.Tag.StartsWith(RunEventLog.WorkerStepPrefix, StringComparison.Ordinal)).ToList();
            Assert.Equal(status.Workers, workers.Count);
            Assert.All(workers, w => Assert.InRange(w.Value, 0, (float)report.Milliseconds));
        }

        var train = ReadAll(Path.Combine(logs, RunEventLog.TrainRun));
        Assert.Equal(2, status.Epochs.Count);
        foreach (var epoch in status.Epochs)
        {
            Assert.Equal((float)epoch.Loss, Single(train, "epoch_loss", epoch.Epoch + 1));
            Assert.Equal((float)epoch.Accuracy, Single(train, "epoch_accuracy", epoch.Epoch + 1));
        }

        var validation = ReadAll(Path.Combine(logs, RunEventLog.ValidationRun));
        Assert.Equal(0.75f, Single(validation, "epoch_loss", 1));
        Assert.Equal(0.8f, Single(validation, "epoch_accuracy", 2));
    }

    /// <summary>Every scalar of every event file in <paramref name="run"/>, each file's records checked.</summary>
    private static List<FoundScalar> ReadAll(string run) =>
        [.. Directory.GetFiles(run, "events.out.tfevents.*").SelectMany(f => TfEventsFormat.Read(f).Scalars)];

    private static float Single(List<FoundScalar> scalars, string tag, long step) =>
        Assert.Single(scalars, s => s.Tag == tag && s.Step == step).Value;
}
