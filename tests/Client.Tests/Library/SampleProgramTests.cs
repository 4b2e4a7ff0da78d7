using System.Globalization;
using System.Text.RegularExpressions;

namespace DistTrain.Client.Tests.Library;

/// <summary>
/// samples/MnistMlp, built with the tests, run as its own process for one epoch on a quarter of
/// the MNIST training digits: it must train, evaluate on the test digits and predict.
/// </summary>
public sealed partial class SampleProgramTests
{
    [Fact]
    public async Task TheMnistSampleTrainsAnEpochAndReportsItsTestAccuracy()
    {
        using var sample = ProcessRunner.Start("MnistMlp.dll", AppContext.BaseDirectory, "--epochs", "1", "--train-split", "train[:25%]");
        var code = await sample.WaitAsync(TimeSpan.FromMinutes(8));
        Assert.True(code == 0, $"exit {code}\n{sample.Output}\n{sample.Error}");

        var output = sample.Output;
        Assert.Matches(EpochLine(), output);
        var run = RunLine().Match(output);
        Assert.True(run.Success, output);
        Assert.Equal("1", run.Groups["epochs"].Value);
        var accuracy = AccuracyLine().Match(output);
        Assert.True(accuracy.Success, output);
        // One epoch on 25% of the digits: far above chance (10%), short of the full run's 96.6%.
        Assert.InRange(double.Parse(accuracy.Groups["accuracy"].Value, CultureInfo.InvariantCulture), 70, 99);
        var predicted = PredictionLine().Match(output);
        Assert.True(predicted.Success, output);
        Assert.Equal(10, predicted.Groups["classes"].Value.Split(' ').Length);
    }

    [Fact]
    public async Task TheCustomLayerSampleTrainsAUsersLayerOnTwoEmbeddedWorkersWithTheLocalLoopsBits()
    {
        using var sample = ProcessRunner.Start("CustomLayerCluster.dll", AppContext.BaseDirectory);
        var code = await sample.WaitAsync(TimeSpan.FromMinutes(4));
        var output = sample.Output;
        Assert.True(code == 0, $"exit {code}\n{output}\n{sample.Error}");
        Assert.Contains("\"type\": \"custom\"", output);
        Assert.Contains("\"layerType\": \"MyDense, CustomLayerCluster\"", output);
        var run = Regex.Match(output, @"^distributed: (?<steps>\d+) steps on (?<workers>\d+) workers, train accuracy (?<accuracy>\d+\.\d\d)%", RegexOptions.Multiline);
        Assert.True(run.Success, output);
        Assert.Equal("2", run.Groups["workers"].Value);
        Assert.Equal("64", run.Groups["steps"].Value);
        Assert.InRange(double.Parse(run.Groups["accuracy"].Value, CultureInfo.InvariantCulture), 90, 100);
        Assert.Contains("local loop: 64 steps, same bits as the distributed run: yes", output);
    }

    [GeneratedRegex(@"^epoch 1/1  loss \d+\.\d{4}  acc \d+\.\d\d%", RegexOptions.Multiline)]
    private static partial Regex EpochLine();

    [GeneratedRegex(@"^run fit-\S+: (?<epochs>\d+) epochs, (?<steps>\d+) steps", RegexOptions.Multiline)]
    private static partial Regex RunLine();

    [GeneratedRegex(@"^test loss \d+\.\d{4}  test accuracy (?<accuracy>\d+\.\d\d)% \(\d+ digits\)", RegexOptions.Multiline)]
    private static partial Regex AccuracyLine();

    [GeneratedRegex(@"^predicted classes of the first 10 test digits: (?<classes>[0-9]( [0-9])*)$", RegexOptions.Multiline)]
    private static partial Regex PredictionLine();
}
