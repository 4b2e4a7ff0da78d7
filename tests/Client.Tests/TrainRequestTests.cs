using System.CommandLine;
using DistTrain.Client.Cli;
using DistTrain.Client.Train;
using DistTrain.Runs;
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
    public async Task TheExchangeSettingsComeFromTheFlagsOrTheSpecFileAndReachTheRun()
    {
        var defaults = Build(null, "--preset", "mnist-mlp").ToRunSpec();
        Assert.Equal(0, defaults.ServerSlices);
        Assert.Equal(RunSpec.DefaultBucketBytes, defaults.BucketBytes);
        Assert.Equal(GradientCompression.None, defaults.Compression);

        var flagged = Build(null, "--preset", "mnist-mlp", "--server-slices", "3", "--bucket-bytes", "0", "--compression", "bf16").ToRunSpec();
        Assert.Equal((3, 0, GradientCompression.Bf16), (flagged.ServerSlices, flagged.BucketBytes, flagged.Compression));

        var spec = Path.Combine(_directory, "exchange.json");
        await File.WriteAllTextAsync(spec, """{ "preset": "mnist-mlp", "bucketBytes": 65536, "compression": "BF16", "serverSlices": 2 }""");
        var filed = Build(spec).ToRunSpec();
        Assert.Equal((2, 65536, GradientCompression.Bf16), (filed.ServerSlices, filed.BucketBytes, filed.Compression));
        Assert.Equal(GradientCompression.None, Build(spec, "--compression", "none").ToRunSpec().Compression);
    }

    [Theory]
    [InlineData("--compression", "zip", "--compression must be none or bf16")]
    [InlineData("--bucket-bytes", "-1", "--bucket-bytes must not be negative")]
    [InlineData("--server-slices", "-2", "--server-slices must not be negative")]
    public void BadExchangeSettingsAreUsageErrors(string flag, string value, string message)
    {
        var error = Assert.Throws<CliException>(() => Build(null, "--preset", "mnist-mlp", flag, value));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        var folded = Assert.Throws<CliException>(() => Build(null, "--preset", "mnist-mlp", "--folds", "3", "--compression", "bf16"));
        Assert.Contains("--folds cannot be combined with --compression", folded.Message, StringComparison.Ordinal);
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

    [Fact]
    public void APresetKeepsItsOptimiserUnlessAnotherIsNamed()
    {
        var kept = Build(null, "--preset", "mnist-mlp", "--optimizer", "sgd");
        var adam = Build(null, "--preset", "mnist-mlp", "--optimizer", "adam", "--beta2", "0.99", "--amsgrad");
        var adamw = Build(null, "--preset", "mnist-mlp", "--optimizer", "AdamW", "--lr", "0.002");

        var plain = Build(null, "--preset", "mnist-mlp").Optimizer;
        Assert.Equal(plain, kept.Optimizer);
        Assert.Equal((OptimizerAlgorithm.Sgd, 0.05f, 0.9f), (plain.Algorithm, plain.LearningRate, plain.Momentum));
        Assert.Equal((OptimizerAlgorithm.Adam, 0.001f, 0f, 0.9f, 0.99f, 1e-7f, true), (adam.Optimizer.Algorithm, adam.Optimizer.LearningRate, adam.Optimizer.Momentum, adam.Optimizer.Beta1, adam.Optimizer.Beta2, adam.Optimizer.Epsilon, adam.Optimizer.Amsgrad));
        Assert.Equal(plain.Schedule, adam.Optimizer.Schedule);
        Assert.Equal((OptimizerAlgorithm.AdamW, 0.002f, 0.004f), (adamw.Optimizer.Algorithm, adamw.Optimizer.LearningRate, adamw.Optimizer.WeightDecay));
    }

    [Fact]
    public async Task TheSpecFileNamesTheOptimiserAndItsSettingsLikeTheFlags()
    {
        var spec = Path.Combine(_directory, "rmsprop.json");
        await File.WriteAllTextAsync(spec, """{ "preset": "mnist-mlp", "optimizer": "rmsprop", "rho": 0.8, "momentum": 0.5, "centered": true, "epsilon": 1e-5 }""");

        var request = Build(spec, "--rho", "0.85");

        Assert.Equal((OptimizerAlgorithm.RmsProp, 0.85f, 0.5f, true, 1e-5f), (request.Optimizer.Algorithm, request.Optimizer.Rho, request.Optimizer.Momentum, request.Optimizer.Centered, request.Optimizer.Epsilon));
        Assert.Equal(Kernels.Optim.OptimizerKind.RmsProp, Grains.Runs.OptimizerMapping.ToSpec(request.Optimizer).Kind);
    }

    [Theory]
    [InlineData("--optimizer", "lamb", "--optimizer must be one of sgd|adam|adamw|rmsprop|adagrad")]
    [InlineData("--amsgrad", null, "--amsgrad does not apply to --optimizer sgd")]
    [InlineData("--beta1", "1", "--beta1 must be in [0, 1)")]
    [InlineData("--epsilon", "0", "--epsilon must be a positive number")]
    public void BadOptimiserSettingsAreUsageErrors(string flag, string? value, string message)
    {
        string[] flags = value is null ? ["--dataset", "mnist", "--model", ModelFile(), flag] : ["--dataset", "mnist", "--model", ModelFile(), flag, value];

        var error = Assert.Throws<CliException>(() => Build(null, flags));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
    }

    [Fact]
    public void MomentumWithAdamIsAUsageError()
    {
        var error = Assert.Throws<CliException>(() => Build(null, "--preset", "mnist-mlp", "--optimizer", "adam", "--momentum", "0.9"));

        Assert.Contains("--momentum does not apply to --optimizer adam", error.Message, StringComparison.Ordinal);
    }

    private string ModelFile()
    {
        var path = Path.Combine(_directory, "model.json");
        File.WriteAllText(path, new ModelSpec([784], [new DenseSpec(10)], LossKind.SoftmaxCrossEntropy).ToJson());
        return path;
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
