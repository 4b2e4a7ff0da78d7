using System.Globalization;
using System.Text;
using System.Text.Json;
using DistTrain.Client.Cli;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Models;

namespace DistTrain.Client.Tests;

/// <summary><c>disttrain train --folds k</c>: k local runs, each fold held out once, reported with mean ± std.</summary>
public sealed class CrossValidationCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-folds-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ThreeFoldsOfALinearRegressionReportEveryFoldAndTheirMeanAndStd()
    {
        var csv = await LinearData.WriteCsvAsync(_directory, 300, weight: 2.5f, bias: -0.7f);

        var result = await CliRunner.RunAsync("train", "--preset", "linear-regression", "--csv", csv, "--folds", "3", "--epochs", "6", "--lr", "0.1", "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        using var json = JsonDocument.Parse(Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        var root = json.RootElement;
        var folds = root.GetProperty("folds").EnumerateArray().ToList();
        Assert.Equal(3, root.GetProperty("k").GetInt32());
        Assert.Equal([1, 2, 3], folds.Select(f => f.GetProperty("fold").GetInt32()));
        Assert.All(folds, f => Assert.Equal((200, 100, 6), (f.GetProperty("trainSamples").GetInt32(), f.GetProperty("validationSamples").GetInt32(), f.GetProperty("epochs").GetInt32())));
        double[] losses = [.. folds.Select(f => f.GetProperty("loss").GetDouble())];
        Assert.Equal(3, losses.Distinct().Count());
        double mean = losses.Average();
        double std = Math.Sqrt(losses.Sum(l => (l - mean) * (l - mean)) / 2);
        Assert.Equal(mean, root.GetProperty("loss").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(std, root.GetProperty("loss").GetProperty("std").GetDouble(), 12);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("accuracy").ValueKind);
        // y = 2.5x − 0.7 on x in [-2, 2]: six epochs fit it far below the variance of y (≈ 8.3).
        Assert.All(losses, l => Assert.True(l < 0.5, $"fold loss {l}"));
    }

    [Fact]
    public async Task AClassifierReportsPerFoldAccuracyInTheTableAndItsMeanInJson()
    {
        var csv = await WriteTwoClassCsvAsync(240);
        var model = Path.Combine(_directory, "logistic.json");
        await File.WriteAllTextAsync(model, new ModelSpec([2], [new DenseSpec(1, ActivationKind.Sigmoid)], LossKind.BinaryCrossEntropy).ToJson());
        string[] args = ["train", "--model", model, "--csv", csv, "--folds", "4", "--epochs", "5", "--batch-size", "16", "--micro-shards", "4", "--lr", "0.5"];

        var table = await CliRunner.RunAsync(args);
        var result = await CliRunner.RunAsync([.. args, "--json"]);

        Assert.True(table.ExitCode == ExitCodes.Success, table.Error);
        Assert.Contains("4-fold cross-validation", table.Output, StringComparison.Ordinal);
        Assert.Contains("mean ± std", table.Output, StringComparison.Ordinal);
        Assert.Equal(4, table.Output.Split('\n').Count(l => l.Contains("epoch 5/5", StringComparison.Ordinal)));
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        double[] accuracies = [.. json.RootElement.GetProperty("folds").EnumerateArray().Select(f => f.GetProperty("accuracy").GetDouble())];
        Assert.Equal(4, accuracies.Length);
        Assert.Equal(accuracies.Average(), json.RootElement.GetProperty("accuracy").GetProperty("mean").GetDouble(), 12);
        Assert.All(accuracies, a => Assert.True(a > 0.85, $"fold accuracy {a}"));
        foreach (var accuracy in accuracies)
        {
            Assert.Contains((accuracy * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%", table.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("1", "--folds must be at least 2, got 1.")]
    [InlineData("0", "--folds must be at least 2, got 0.")]
    [InlineData("61", "--folds 61 is more than the 60 training samples")]
    public async Task AFoldCountOutsideTwoToTheSampleCountIsAUsageError(string folds, string message)
    {
        var csv = await LinearData.WriteCsvAsync(_directory, 60, weight: 1f, bias: 0f);

        var result = await CliRunner.RunAsync("train", "--preset", "linear-regression", "--csv", csv, "--folds", folds);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Output);
    }

    [Theory]
    [InlineData("--validation-split", "0.2", "--folds cannot be combined with --validation-split")]
    [InlineData("--workers", "2", "--folds cannot be combined with --workers")]
    [InlineData("--cluster", "localhost:1", "--folds cannot be combined with --cluster")]
    public async Task FoldsWithASettingTheyCannotHonourAreAUsageError(string flag, string value, string message)
    {
        var csv = await LinearData.WriteCsvAsync(_directory, 60, weight: 1f, bias: 0f);

        var result = await CliRunner.RunAsync("train", "--preset", "linear-regression", "--csv", csv, "--folds", "3", flag, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>Two classes split by the line x1 + x2 = 0 (label 1 above it), rows in random order.</summary>
    private async Task<string> WriteTwoClassCsvAsync(int rows)
    {
        var random = new Random(3);
        var text = new StringBuilder("x1,x2,label\n");
        for (var i = 0; i < rows; i++)
        {
            var x1 = (random.NextSingle() * 4f) - 2f;
            var x2 = (random.NextSingle() * 4f) - 2f;
            text.Append(CultureInfo.InvariantCulture, $"{x1:R},{x2:R},{(x1 + x2 > 0 ? 1 : 0)}\n");
        }

        var path = Path.Combine(_directory, "two-class.csv");
        await File.WriteAllTextAsync(path, text.ToString());
        return path;
    }
}
