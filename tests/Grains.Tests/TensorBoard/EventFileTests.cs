using DistTrain.Grains.Telemetry;
using DistTrain.TensorBoard;

namespace DistTrain.Grains.Tests.TensorBoard;

/// <summary>
/// The event files DistTrain writes, read back with the test's own reader
/// (<see cref="TfEventsFormat"/>): framing, CRCs and every scalar with its step.
/// </summary>
public sealed class EventFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-events-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Crc32CGivesThePublishedCheckValueAndAgreesWithATableAtEveryLength()
    {
        Assert.Equal(0xE3069283u, TfEventsFormat.Crc32C(TfEventsFormat.Ascii("123456789")));
        Assert.Equal(0xE3069283u, Crc32C.Compute(TfEventsFormat.Ascii("123456789")));
        var random = new Random(5);
        for (int length = 0; length <= 256; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(TfEventsFormat.Crc32C(data), Crc32C.Compute(data));
            Assert.Equal(TfEventsFormat.Mask(TfEventsFormat.Crc32C(data)), Crc32C.Masked(data));
        }
    }

    [Fact]
    public void TheRunLogWritesEveryScalarOfEveryStepEpochAndValidation()
    {
        using (var log = new RunEventLog(_directory, batchSize: 32, hasAccuracy: true))
        {
            for (int step = 0; step < 6; step++)
            {
                var report = new StepReport(step, step / 3, 2.0 - (0.1 * step), 0.1 * step, 3 + step, 0.01, Clipped: step == 1, Skipped: step == 4, Workers: 2, Milliseconds: 8, 100, 200, 1, 5, 2, 7);
                log.Step(report, [("silo-a/cpu0", 6.5 + step), ("silo-b/cpu0", 7.5)]);
                if (step % 3 == 2)
                {
                    log.Epoch(new EpochSummary(step / 3, 1.5 - step / 3, 0.5 + (0.1 * (step / 3)), 3, 0.5));
                    log.Validation(step / 3, 1.7 - step / 3, 0.4);
                }
            }
        }

        var steps = ReadRun(RunEventLog.StepsRun);
        Assert.Equal([0], steps.Starts);
        for (int step = 0; step < 6; step++)
        {
            Near(2.0 - (0.1 * step), Value(steps, "loss", step));
            Near(0.1 * step, Value(steps, "accuracy", step));
            Near(3 + step, Value(steps, "gradient_norm", step));
            Near(0.01, Value(steps, "learning_rate", step));
            Near(step == 1 ? 1 : 0, Value(steps, "clipped", step));
            Near(step == 4 ? 1 : 0, Value(steps, "skipped", step));
            Near(4000, Value(steps, "samples_per_second", step)); // 32 samples in 8 ms
            Near(8, Value(steps, "step_ms", step));
            Near(2, Value(steps, "workers", step));
            Near(6.5 + step, Value(steps, "worker_step_ms/silo-a/cpu0", step));
            Near(7.5, Value(steps, "worker_step_ms/silo-b/cpu0", step));
        }

        Assert.Equal(2 + (6 * 15), steps.Records); // the version, the start, then 15 scalars a step
        var train = ReadRun(RunEventLog.TrainRun);
        Assert.Equal([1L, 2L], train.Scalars.Where(s => s.Tag == "epoch_loss").Select(s => s.Step));
        Near(1.5, Value(train, "epoch_loss", 1));
        Near(0.5, Value(train, "epoch_loss", 2));
        Near(0.6, Value(train, "epoch_accuracy", 2));
        Near(192, Value(train, "epoch_samples_per_second", 1)); // 3 steps of 32 in 0.5 s
        Near(1, Value(train, "epoch_clipped_steps", 1));
        Near(0, Value(train, "epoch_skipped_steps", 1));
        Near(0, Value(train, "epoch_clipped_steps", 2));
        Near(1, Value(train, "epoch_skipped_steps", 2));
        var validation = ReadRun(RunEventLog.ValidationRun);
        Near(1.7, Value(validation, "epoch_loss", 1));
        Near(0.7, Value(validation, "epoch_loss", 2));
        Near(0.4, Value(validation, "epoch_accuracy", 2));

        // The library's reader finds the same points.
        var scalars = ScalarLog.Load(_directory);
        Assert.Equal([RunEventLog.StepsRun, RunEventLog.TrainRun, RunEventLog.ValidationRun], scalars.Runs);
        Assert.Equal(Enumerable.Range(0, 6).Select(s => (long)s), scalars.Series(RunEventLog.StepsRun, "loss").Select(p => p.Step));
        Assert.Equal(0.7, scalars.Series(RunEventLog.ValidationRun, "epoch_loss")[1].Value, 6);
    }

    [Fact]
    public void RegressionRunsLeaveAccuracyOut()
    {
        using (var log = new RunEventLog(_directory, batchSize: 8, hasAccuracy: false))
        {
            log.Step(new StepReport(0, 0, 0.5, double.NaN, 1, 0.1, false, false, 1, 2, 0, 0), []);
            log.Epoch(new EpochSummary(0, 0.5, double.NaN, 1, 0.1));
            log.Validation(0, 0.6, null);
        }

        Assert.DoesNotContain(ReadRun(RunEventLog.StepsRun).Scalars, s => s.Tag.Contains("accuracy", StringComparison.Ordinal));
        Assert.DoesNotContain(ReadRun(RunEventLog.TrainRun).Scalars, s => s.Tag.Contains("accuracy", StringComparison.Ordinal));
        Assert.Equal(["epoch_loss"], ReadRun(RunEventLog.ValidationRun).Scalars.Select(s => s.Tag));
    }

    [Fact]
    public void AStepWrittenAgainStartsASessionAndReplacesTheLaterPoints()
    {
        // A run that rewinds from step 10 to its checkpoint at 5 writes 5..7 again, then stops.
        string run = Path.Combine(_directory, "steps");
        using (var writer = new ScalarWriter(run))
        {
            for (int step = 0; step < 10; step++)
            {
                writer.Write(step, ("loss", step));
            }

            for (int step = 5; step < 8; step++)
            {
                writer.Write(step, ("loss", 100 + step));
            }
        }

        var contents = TfEventsFormat.Read(Assert.Single(Directory.GetFiles(run)));
        Assert.Equal([0L, 5L], contents.Starts);
        Assert.Equal(13, contents.Scalars.Count);
        var points = ScalarLog.Load(_directory).Series("steps", "loss");
        Assert.Equal([0, 1, 2, 3, 4, 105, 106, 107], points.Select(p => p.Value));
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 7], points.Select(p => p.Step));
    }

    [Fact]
    public void ACutShortLastRecordIsLeftOutAndABadCrcIsAnError()
    {
        string run = Path.Combine(_directory, "train");
        string file;
        using (var writer = new ScalarWriter(run))
        {
            writer.Write(0, ("loss", 1));
            writer.Write(1, ("loss", 2));
            writer.Flush();
            file = writer.FilePath!;
        }

        byte[] bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^5]); // a writer in the middle of the last record
        Assert.Equal([0L], ScalarLog.Load(_directory).Series("train", "loss").Select(p => p.Step));

        bytes[^6] ^= 0x40; // inside the last record's data
        File.WriteAllBytes(file, bytes);
        var error = Assert.Throws<InvalidDataException>(() => ScalarLog.Load(_directory));
        Assert.Contains("CRC", error.Message, StringComparison.Ordinal);
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    private EventFileContents ReadRun(string run)
    {
        var contents = TfEventsFormat.Read(Assert.Single(Directory.GetFiles(Path.Combine(_directory, run))));
        Assert.Equal("brain.Event:2", contents.FileVersion);
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(Directory.GetFiles(Path.Combine(_directory, run))[0]), StringComparison.Ordinal);
        return contents;
    }

    private static void Near(double expected, float actual) => Assert.Equal(expected, actual, Math.Max(1e-6, Math.Abs(expected) * 1e-6));

    private static float Value(EventFileContents contents, string tag, long step) =>
        Assert.Single(contents.Scalars, s => s.Tag == tag && s.Step == step).Value;
}
