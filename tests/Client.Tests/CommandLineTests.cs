using DistTrain.Client.Cli;

namespace DistTrain.Client.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData]
    [InlineData("train")]
    [InlineData("status")]
    [InlineData("watch")]
    [InlineData("stop")]
    [InlineData("list")]
    [InlineData("evaluate")]
    [InlineData("predict")]
    [InlineData("cluster")]
    [InlineData("plot")]
    [InlineData("model")]
    [InlineData("model", "summary")]
    public async Task EveryCommandPrintsHelpAndSucceeds(params string[] command)
    {
        var result = await CliRunner.RunAsync([.. command, "--help"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("Usage:", result.Output, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public async Task TrainHelpListsTheTrainingOptions()
    {
        var result = await CliRunner.RunAsync("train", "--help");

        foreach (var flag in new[] { "--preset", "--epochs", "--batch-size", "--lr", "--schedule", "--momentum", "--nesterov", "--clip-norm", "--weight-decay", "--validation-split", "--folds", "--early-stopping-monitor", "--patience", "--seed", "--workers", "--micro-shards", "--checkpoint-dir", "--logdir", "--data-dir", "--csv", "--target", "--cluster", "--json", "--otel-console" })
        {
            Assert.Contains(flag, result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnUnknownFlagFailsWithOneLineNamingIt()
    {
        var result = await CliRunner.RunAsync("train", "--preset", "mnist-mlp", "--bogus-flag");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("disttrain: ", line, StringComparison.Ordinal);
        Assert.Contains("--bogus-flag", line, StringComparison.Ordinal);
        Assert.Contains("disttrain train --help", line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Output);
    }

    [Fact]
    public async Task AnUnknownCommandFailsWithUsage()
    {
        var result = await CliRunner.RunAsync("fly");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("fly", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANonNumericEpochCountIsAUsageError()
    {
        var result = await CliRunner.RunAsync("train", "--preset", "mnist-mlp", "--epochs", "ten");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("ten", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingSpecFileIsNamed()
    {
        var path = Path.Combine(_directory, "nope.json");

        var result = await CliRunner.RunAsync("train", path);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal($"disttrain: run spec '{path}' does not exist.", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task AMalformedSpecFileNamesTheLine()
    {
        var path = Path.Combine(_directory, "bad.json");
        await File.WriteAllTextAsync(path, "{\n  \"preset\": \"mnist-mlp\",\n  \"epochs\": ,\n}");

        var result = await CliRunner.RunAsync("train", path);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("is malformed (line 3)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownSpecKeyIsRejected()
    {
        var path = Path.Combine(_directory, "typo.json");
        await File.WriteAllTextAsync(path, "{ \"preset\": \"linear-regression\", \"epochz\": 3 }");

        var result = await CliRunner.RunAsync("train", path);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("epochz", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownPresetListsTheKnownOnes()
    {
        var result = await CliRunner.RunAsync("train", "--preset", "resnet-9000");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("mnist-mlp", line, StringComparison.Ordinal);
        Assert.Contains("linear-regression", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingCsvFileIsNamed()
    {
        var path = Path.Combine(_directory, "missing.csv");

        var result = await CliRunner.RunAsync("train", "--preset", "linear-regression", "--csv", path);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal($"disttrain: CSV file '{path}' does not exist.", Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("--batch-size", "30", "not a multiple of --micro-shards")]
    [InlineData("--micro-shards", "3", "power of two")]
    [InlineData("--momentum", "1.5", "--momentum must be in [0, 1)")]
    [InlineData("--validation-split", "1", "--validation-split must be in [0, 1)")]
    [InlineData("--schedule", "cosine:abc", "not a positive step count")]
    [InlineData("--schedule", "sawtooth", "is not one of")]
    [InlineData("--early-stopping-monitor", "val_f1", "must be one of")]
    public async Task BadHyperParametersAreUsageErrorsNamingTheFlag(string flag, string value, string expected)
    {
        var csv = await LinearData.WriteCsvAsync(_directory, 64, 2f, 1f);

        var result = await CliRunner.RunAsync("train", "--preset", "linear-regression", "--csv", csv, flag, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status", "run-1")]
    [InlineData("watch", "run-1")]
    [InlineData("stop", "run-1")]
    [InlineData("list")]
    [InlineData("cluster")]
    public async Task CommandsAboutRunsNeedAClusterAddress(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("needs --cluster", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:0")]
    [InlineData("localhost:99999")]
    [InlineData(":30000")]
    public async Task AMalformedClusterAddressIsAUsageError(string address)
    {
        var result = await CliRunner.RunAsync("status", "run-1", "--cluster", address);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--cluster", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeadClusterAddressFailsWithOneLine()
    {
        var port = DistTrain.Hosting.ClusterConnection.FreeLoopbackPort();

        var result = await CliRunner.RunAsync("status", "run-1", "--cluster", $"127.0.0.1:{port}");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.StartsWith($"disttrain: cannot reach the cluster at 127.0.0.1:{port}", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleExportCannotBeMixedWithJson()
    {
        var result = await CliRunner.RunAsync("list", "--cluster", "127.0.0.1:30000", "--json", "--otel-console");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--otel-console", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictNeedsARunOrACheckpoint()
    {
        var result = await CliRunner.RunAsync("predict", "--samples", "1,2");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--checkpoint", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
