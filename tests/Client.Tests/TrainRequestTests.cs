using System.CommandLine;
using DistTrain.Client.Cli;
using DistTrain.Client.Train;
using DistTrain.Grains;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;

namespace DistTrain.Client.Tests;

public sealed class TrainRequestTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-request-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task FlagsOverrideTheSpecFileWhichOverridesThePreset()
    {
        var spec = Path.Combine(_directory, "run.json");
        await File.WriteAllTextAsync(spec, """{ "preset": "mnist-mlp", "epochs": 3, "lr": 0.2, "schedule": "step:100:0.5", "seed": 9 }""");

        var request = Build(spec, "--lr", "0.3", "--nesterov");

        Assert.Equal(3, request.Epochs);
        Assert.Equal(0.3f, request.Optimizer.LearningRate);
        Assert.True(request.Optimizer.Nesterov);
        Assert.Equal(TrainingPresets.MnistMlp.Optimizer.Momentum, request.Optimizer.Momentum);
        Assert.Equal(TrainingPresets.MnistMlp.BatchSize, request.BatchSize);
        Assert.Equal(new ScheduleSettings(ScheduleKind.Step, 100, 0.5), request.Optimizer.Schedule);
        Assert.Equal(9UL, request.Seed);
        Assert.Equal("mnist", request.Data.Name);
    }

    [Fact]
    public void ACosineScheduleWithoutStepsDecaysOverTheWholeRun()
    {
        // 1,000 samples, 10% held out: 900 / 50 = 18 steps per epoch, 4 epochs, 2 of warm-up.
        var request = Build(null, "--preset", "mnist-mlp", "--batch-size", "50", "--micro-shards", "2", "--epochs", "4", "--validation-split", "0.1", "--schedule", "cosine", "--warmup", "2");

        Assert.Equal(new ScheduleSettings(ScheduleKind.Cosine, (18 * 4) - 2, 0, WarmupSteps: 2), request.Optimizer.Schedule);
        Assert.Equal("train[:90%]", request.ToRunSpec().Data.Split);
    }

    [Fact]
    public void TheLinearRegressionModelIsAsWideAsTheData()
    {
        var request = Build(null, "--preset", "linear-regression", "--csv", Path.Combine(_directory, "three-features.csv"), "--target", "y");

        var model = ModelSpec.FromJson(request.ModelSpecJson);
        Assert.Equal([3], model.InputShape);
        Assert.Equal(LossKind.MeanSquaredError, model.Loss);
        Assert.Equal("csv", request.ToRunSpec().Data.Name);
        Assert.EndsWith("three-features.csv#y", request.ToRunSpec().Data.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelFromTheSpecFileReplacesThePresetModel()
    {
        var spec = Path.Combine(_directory, "custom.json");
        var model = new ModelSpec([784], [new DenseSpec(10)], LossKind.SoftmaxCrossEntropy);
        File.WriteAllText(spec, $$"""{ "dataset": "mnist", "model": {{model.ToJson()}} }""");

        var request = Build(spec);

        Assert.Equal(model, ModelSpec.FromJson(request.ModelSpecJson));
        Assert.Null(request.Preset);
    }

    [Fact]
    public async Task TheLogDirectoryComesFromTheFlagOrTheSpecFileAsAFullPath()
    {
        var spec = Path.Combine(_directory, "logged.json");
        await File.WriteAllTextAsync(spec, """{ "preset": "mnist-mlp", "logdir": "tb" }""");

        Assert.Equal(Path.Combine(_directory, "tb"), Build(spec).ToRunSpec().LogDirectory);
        Assert.Equal(Path.GetFullPath("elsewhere"), Build(spec, "--logdir", "elsewhere").ToRunSpec().LogDirectory);
        Assert.Null(Build(null, "--preset", "mnist-mlp").ToRunSpec().LogDirectory);
        var error = Assert.Throws<CliException>(() => Build(null, "--preset", "mnist-mlp", "--folds", "3", "--logdir", "x"));
        Assert.Contains("--logdir", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMalformedModelIsRejectedWithItsSource()
    {
        var spec = Path.Combine(_directory, "broken.json");
        File.WriteAllText(spec, """{ "dataset": "mnist", "model": { "inputShape": [784], "layers": [ { "type": "dense", "units": -4 } ], "loss": "softmaxCrossEntropy" } }""");

        var error = Assert.Throws<CliException>(() => Build(spec));

        Assert.Contains("broken.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mnist-cnn", "mnist")]
    [InlineData("fashion-mlp", "fashion-mnist")]
    [InlineData("fashion-cnn", "fashion-mnist")]
    [InlineData("cifar10-cnn", "cifar10")]
    public void TheImagePresetsTrainTheirKernelsModelOnTheirDataSet(string preset, string dataset)
    {
        var request = Build(null, "--preset", preset);

        var expected = preset switch
        {
            "mnist-cnn" => ModelPresets.MnistCnn(),
            "fashion-mlp" => ModelPresets.FashionMlp(),
            "fashion-cnn" => ModelPresets.FashionCnn(),
            _ => ModelPresets.Cifar10Cnn(),
        };
        Assert.Equal(expected, ModelSpec.FromJson(request.ModelSpecJson));
        Assert.Equal(dataset, request.Data.Name);
        Assert.Equal(0, request.BatchSize % request.MicroShards);
    }

    private TrainRequest Build(string? spec, params string[] flags)
    {
        var options = new TrainOptions();
        var command = new Command("train");
        options.AddTo(command);
        var parse = command.Parse(spec is null ? flags : [spec, .. flags]);
        Assert.Empty(parse.Errors);
        File.WriteAllText(Path.Combine(_directory, "three-features.csv"), "a,b,c,y\n1,2,3,4\n");
        return TrainRequestBuilder.Build(parse, options, data => data.IsCsv
            ? new InMemoryDataSet(new float[1000 * 3], new float[1000], [3], 1)
            : new InMemoryDataSet(new float[1000 * 784], new float[1000 * 10], [784], 10));
    }
}
