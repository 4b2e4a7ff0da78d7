using System.Text.Json;
using DistTrain.Client.Cli;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Models;

namespace DistTrain.Client.Tests;

/// <summary><c>disttrain model summary</c>: per-layer shapes and parameter counts of presets and spec files.</summary>
public sealed class ModelSummaryCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-summary-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TheMnistMlpSummaryGivesEveryDenseLayerInputsTimesUnitsPlusBiasParameters()
    {
        var result = await CliRunner.RunAsync("model", "summary", "--preset", "mnist-mlp", "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        using var json = JsonDocument.Parse(Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        var root = json.RootElement;
        var dense = root.GetProperty("layers").EnumerateArray().Where(l => l.GetProperty("type").GetString() == "Dense").ToList();
        int[] sizes = [784, 512, 256, 10];
        long[] expected = [.. sizes.Zip(sizes.Skip(1), (inputs, units) => ((long)inputs * units) + units)];
        Assert.Equal(expected, dense.Select(l => l.GetProperty("parameters").GetInt64()));
        Assert.Equal([512, 256, 10], dense.Select(l => l.GetProperty("outputShape")[0].GetInt32()));
        Assert.Equal(expected.Sum(), root.GetProperty("totalParameters").GetInt64());
        Assert.Equal(expected.Sum(), root.GetProperty("trainableParameters").GetInt64());
        Assert.Equal([784], root.GetProperty("inputShape").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task TheConsoleTableShowsTheMlpLayersAndTotal()
    {
        long[] counts = [(784 * 512) + 512, (512 * 256) + 256, (256 * 10) + 10];

        var result = await CliRunner.RunAsync("model", "summary", "--preset", "mnist-mlp");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        var rows = result.Output.Split('\n');
        for (int i = 0; i < counts.Length; i++)
        {
            var row = Assert.Single(rows, r => r.Contains($"dense_{i} ", StringComparison.Ordinal));
            Assert.Contains(counts[i].ToString("N0", System.Globalization.CultureInfo.InvariantCulture), row, StringComparison.Ordinal);
        }

        var total = Assert.Single(rows, r => r.StartsWith("total params", StringComparison.Ordinal));
        Assert.Contains(counts.Sum().ToString("N0", System.Globalization.CultureInfo.InvariantCulture), total, StringComparison.Ordinal);
        Assert.Contains("(None, 512)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheMnistCnnSummaryTotalIsTheParameterLayoutsLength()
    {
        var result = await CliRunner.RunAsync("model", "summary", "--preset", "mnist-cnn", "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToList();
        long total = json.RootElement.GetProperty("totalParameters").GetInt64();
        Assert.Equal(ParameterLayout.For(ModelPresets.MnistCnn()).Total, total);
        Assert.Equal(total, layers.Sum(l => l.GetProperty("parameters").GetInt64()));
        // Conv2D(32, 3×3) on one channel: 3·3·1·32 + 32.
        Assert.Equal((3 * 3 * 1 * 32) + 32, layers[0].GetProperty("parameters").GetInt32());
        Assert.Equal([7, 7, 64], layers.Single(l => l.GetProperty("name").GetString() == "max_pooling2d_1").GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task AModelSpecFileIsSummarisedLayerByLayer()
    {
        var spec = new ModelSpec([6, 6, 2], [new Conv2DSpec(3, 3, 2, PaddingKind.Valid), new FlattenSpec(), new DenseSpec(4)], LossKind.SoftmaxCrossEntropy);
        var path = Path.Combine(_directory, "model.json");
        await File.WriteAllTextAsync(path, spec.ToJson());

        var result = await CliRunner.RunAsync("model", "summary", path, "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToList();
        // valid 3×3 stride 2 on 6×6: ⌊(6 − 3)/2⌋ + 1 = 2; then 2·2·3 = 12 inputs to Dense(4).
        Assert.Equal([2, 2, 3], layers[0].GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([(3 * 3 * 2 * 3) + 3, 0, (12 * 4) + 4], layers.Select(l => l.GetProperty("parameters").GetInt32()));
        Assert.Equal(path, json.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task AHandWrittenSpecWithHeightWidthKernelsAndPoolsIsSummarisedAsKerasWould()
    {
        var path = Path.Combine(_directory, "keras-sizes.json");
        await File.WriteAllTextAsync(path, """
            { "inputShape": [9, 8, 1], "loss": "softmaxCrossEntropy", "layers": [
              { "type": "conv2d", "filters": 4, "kernelSize": [3, 5], "strides": [2, 1], "padding": "valid" },
              { "type": "maxPool2d", "poolSize": [2, 3] },
              { "type": "flatten" }, { "type": "dense", "units": 2 } ] }
            """);

        var result = await CliRunner.RunAsync("model", "summary", path, "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var layers = json.RootElement.GetProperty("layers").EnumerateArray().ToList();
        // Keras 'valid': ⌊(9 − 3)/2⌋ + 1 = 4 rows, ⌊(8 − 5)/1⌋ + 1 = 4 columns; pool 2×3 (strides 2×3): 2 rows, 1 column.
        Assert.Equal([4, 4, 4], layers[0].GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([2, 1, 4], layers[1].GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal((3 * 5 * 1 * 4) + 4, layers[0].GetProperty("parameters").GetInt32());
    }

    [Fact]
    public async Task ASizeThatIsNotAnIntOrAPairFailsWithOneLineNamingTheLayerAndField()
    {
        var path = Path.Combine(_directory, "three-sides.json");
        await File.WriteAllTextAsync(path, """{ "inputShape": [9, 8, 1], "loss": "meanSquaredError", "layers": [{ "type": "conv2d", "filters": 2, "kernelSize": [3, 5, 1] }] }""");

        var result = await CliRunner.RunAsync("model", "summary", path);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("$.layers[0].kernelSize", line, StringComparison.Ordinal);
        Assert.Contains("[height, width]", line, StringComparison.Ordinal);
    }

    public static TheoryData<string, int, string> BadInputs => new()
    {
        { "--preset=nope", ExitCodes.Usage, "unknown preset 'nope'" },
        { "missing.json", ExitCodes.Failure, "missing.json' does not exist" },
        { "malformed.json", ExitCodes.Failure, "malformed.json' is invalid" },
        { "wrong-shape.json", ExitCodes.Failure, "wrong-shape.json' is invalid" },
        { "", ExitCodes.Usage, "no model" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInputFailsWithOneLineNamingTheProblem(string argument, int exitCode, string message)
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "malformed.json"), """{ "inputShape": [4], "layers": [ """);
        await File.WriteAllTextAsync(Path.Combine(_directory, "wrong-shape.json"), """{ "inputShape": [4], "layers": [{ "type": "conv2d", "filters": 2, "kernelSize": 3 }], "loss": "meanSquaredError" }""");
        string[] args = argument switch
        {
            "" => ["model", "summary"],
            ['-', ..] => ["model", "summary", argument],
            _ => ["model", "summary", Path.Combine(_directory, argument)],
        };

        var result = await CliRunner.RunAsync(args);

        Assert.Equal(exitCode, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("disttrain: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Output);
    }
}
