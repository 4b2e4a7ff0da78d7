using System.Buffers.Binary;
using System.Xml.Linq;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.TensorBoard;

namespace DistTrain.Client.Tests;

/// <summary><c>disttrain plot</c> on a log written like a coordinator's, and the summary's sparkline.</summary>
public sealed class PlotCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-plot-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task PlotWritesPngAndSvgChartsOfTheRequestedSizeAndPrintsTheirPaths()
    {
        string logs = Path.Combine(_directory, "logs");
        WriteLog(logs, epochs: 5, stepsPerEpoch: 4, workers: ["silo-a/cpu:0", "silo-b/cpu:0"]);
        string output = Path.Combine(_directory, "charts");

        var result = await CliRunner.RunAsync("plot", "--logdir", logs, "--out", output, "--width", "640", "--height", "360");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        string[] names = ["loss.png", "loss.svg", "accuracy.png", "accuracy.svg", "step_time.png", "step_time.svg"];
        Assert.Equal(names.Select(n => Path.Combine(output, n)), result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        foreach (string name in names)
        {
            string path = Path.Combine(output, name);
            var (width, height) = name.EndsWith(".png", StringComparison.Ordinal) ? PngSize(path) : SvgSize(path);
            Assert.Equal((640, 360), (width, height));
        }
    }

    [Fact]
    public async Task ChartsGoIntoTheLogDirectoryByDefaultAndARunShorterThanAnEpochIsChartedPerStep()
    {
        string logs = Path.Combine(_directory, "short");
        using (var steps = new ScalarWriter(Path.Combine(logs, RunLogLayout.StepsRun)))
        {
            for (int step = 0; step < 3; step++)
            {
                steps.Write(step, ("loss", 1.0 / (step + 1)));
            }
        }

        var result = await CliRunner.RunAsync("plot", "--logdir", logs);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        string png = Path.Combine(logs, "plots", "loss.png");
        Assert.Equal([png, Path.ChangeExtension(png, ".svg")], result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal((800, 500), PngSize(png));
    }

    [Theory]
    [InlineData("plot")]
    [InlineData("plot", "r1", "--logdir", "x")]
    [InlineData("plot", "--logdir", "/no/such/disttrain/logs")]
    [InlineData("plot", "--logdir", ".", "--width", "10")]
    public async Task PlotRejectsAMissingOrDoubleSourceAndBadSizes(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("disttrain: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task AnEmptyLogIsAnError()
    {
        var result = await CliRunner.RunAsync("plot", "--logdir", _directory);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("no TensorBoard scalars", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSparklineSpansTheLowestToTheHighestBar()
    {
        Assert.Equal("█▅▃▁", Sparkline.Of([4, 2.8, 2, 1]));
        Assert.Equal("▄▄▄", Sparkline.Of([2, 2, 2]));
        Assert.Equal("▁ █", Sparkline.Of([0, double.NaN, 1]));
        Assert.Equal(string.Empty, Sparkline.Of([]));
        // 100 values in 10 columns: the mean of each group of 10, rising evenly.
        Assert.Equal("▁▂▃▃▄▅▆▆▇█", Sparkline.Of([.. Enumerable.Range(0, 100).Select(i => (double)i)], width: 10));
    }

    /// <summary>A log in the coordinator's layout: falling loss, rising accuracy, per-worker step times.</summary>
    private static void WriteLog(string logs, int epochs, int stepsPerEpoch, string[] workers)
    {
        using var steps = new ScalarWriter(Path.Combine(logs, RunLogLayout.StepsRun));
        using var train = new ScalarWriter(Path.Combine(logs, RunLogLayout.TrainRun));
        using var validation = new ScalarWriter(Path.Combine(logs, RunLogLayout.ValidationRun));
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            for (int s = 0; s < stepsPerEpoch; s++)
            {
                long step = ((epoch - 1) * stepsPerEpoch) + s;
                steps.Write(step, [("loss", 2.0 / (step + 1)), .. workers.Select((w, i) => (RunLogLayout.WorkerStepPrefix + w, 5.0 + i + (step % 3)))]);
            }

            train.Write(epoch, ("epoch_loss", 2.0 / epoch), ("epoch_accuracy", 1 - (0.5 / epoch)));
            validation.Write(epoch, ("epoch_loss", 2.2 / epoch), ("epoch_accuracy", 1 - (0.6 / epoch)));
        }
    }

    /// <summary>Width and height from a PNG's signature and IHDR chunk (RFC 2083: the first chunk, big-endian).</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path}: {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)));
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        Assert.Equal("IEND"u8.ToArray(), bytes[^8..^4]);
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    /// <summary>Width and height of an SVG's root element.</summary>
    private static (int Width, int Height) SvgSize(string path)
    {
        var root = XDocument.Load(path).Root!;
        Assert.Equal(XName.Get("svg", "http://www.w3.org/2000/svg"), root.Name);
        Assert.NotEmpty(root.Elements());
        return (int.Parse(root.Attribute("width")!.Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(root.Attribute("height")!.Value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
