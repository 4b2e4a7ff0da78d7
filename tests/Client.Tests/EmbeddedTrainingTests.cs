using System.Text.Json;
using DistTrain.Client.Cli;
using DistTrain.TensorBoard;
using OpenTelemetry.Metrics;

namespace DistTrain.Client.Tests;

/// <summary>
/// <c>disttrain train</c> in this process on the embedded cluster: linear regression on a
/// generated CSV, with the JSON summary and the exported metrics read back.
/// </summary>
public sealed class EmbeddedTrainingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-train-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task LinearRegressionPresetRecoversWeightAndBiasAndExportsMetrics()
    {
        var csv = await LinearData.WriteCsvAsync(_directory, 512, weight: 2.5f, bias: -0.7f);
        var exported = new List<MetricSnapshot>();
        var hooks = new CliHooks
        {
            ConfigureMetrics = metrics => metrics.AddInMemoryExporter(exported, reader => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 200),
            PollInterval = TimeSpan.FromMilliseconds(100),
        };

        var result = await CliRunner.RunAsync(
            hooks,
            "train", "--preset", "linear-regression", "--csv", csv, "--epochs", "12", "--batch-size", "32", "--lr", "0.1",
            "--momentum", "0.9", "--validation-split", "0.25", "--run-id", "lr-test", "--checkpoint-dir", Path.Combine(_directory, "ckpt"), "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        using var summary = JsonDocument.Parse(Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        var root = summary.RootElement;
        Assert.Equal("lr-test", root.GetProperty("runId").GetString());
        Assert.Equal("Completed", root.GetProperty("state").GetString());
        Assert.Equal("embedded", root.GetProperty("cluster").GetString());
        Assert.Equal(12, root.GetProperty("epochs").GetInt32());
        Assert.Equal(12, root.GetProperty("history").GetArrayLength());
        Assert.True(root.GetProperty("seconds").GetDouble() > 0);
        Assert.True(root.GetProperty("samplesPerSecond").GetDouble() > 0);
        Assert.True(root.GetProperty("train").GetProperty("loss").GetDouble() < 1e-3);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("train").GetProperty("accuracy").ValueKind);
        var validation = root.GetProperty("validation");
        Assert.Equal(128, validation.GetProperty("samples").GetInt32());
        Assert.True(validation.GetProperty("loss").GetDouble() < 1e-3);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("test").ValueKind);
        var parameters = root.GetProperty("parameters");
        Assert.Equal(2.5, parameters.GetProperty("dense_0/kernel")[0].GetDouble(), 0.02);
        Assert.Equal(-0.7, parameters.GetProperty("dense_0/bias")[0].GetDouble(), 0.02);
        Assert.NotNull(root.GetProperty("checkpoint").GetString());

        // The coordinator's TensorBoard log, by default in the checkpoint directory: every step,
        // every epoch, and the validation the console measured (at least the final one).
        string logs = Path.Combine(_directory, "ckpt", "logs");
        Assert.Equal(logs, root.GetProperty("logDirectory").GetString());
        var log = ScalarLog.Load(logs);
        Assert.Equal(root.GetProperty("steps").GetInt64(), log.Series(RunLogLayout.StepsRun, "loss").Count);
        Assert.Equal(Enumerable.Range(1, 12).Select(e => (long)e), log.Series(RunLogLayout.TrainRun, "epoch_loss").Select(p => p.Step));
        Assert.Equal(root.GetProperty("history")[11].GetProperty("loss").GetDouble(), log.Series(RunLogLayout.TrainRun, "epoch_loss")[^1].Value, 1e-6);
        var validationPoints = log.Series(RunLogLayout.ValidationRun, "epoch_loss");
        Assert.Equal(12, validationPoints[^1].Step);
        Assert.Equal(validation.GetProperty("loss").GetDouble(), validationPoints[^1].Value, 1e-6);
        Assert.DoesNotContain(log.TagsOf(RunLogLayout.TrainRun), t => t.Contains("accuracy", StringComparison.Ordinal)); // regression

        var names = exported.Select(m => m.Name).ToHashSet();
        Assert.Contains("disttrain.client.run.loss", names);
        Assert.Contains("disttrain.client.run.step", names);
        Assert.Contains("disttrain.step.duration", names);
        var steps = exported.Where(m => m.Name == "disttrain.client.run.step").SelectMany(m => m.MetricPoints).Last();
        Assert.Equal(root.GetProperty("steps").GetInt64(), (long)steps.GetGaugeLastValueDouble());
    }
}
