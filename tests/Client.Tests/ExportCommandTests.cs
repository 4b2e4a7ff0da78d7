using System.Text.Json;
using DistTrain.Client.Cli;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Saving;
using DistTrain.Kernels.Training;

namespace DistTrain.Client.Tests;

public sealed class ExportCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-export-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ACheckpointExportsAsAModelFileWithItsAdamStateAndAsOnnx()
    {
        var (path, spec, weights) = AdamCheckpoint();
        string native = Path.Combine(_directory, "model.dtm"), onnx = Path.Combine(_directory, "model.onnx");

        var first = await CliRunner.RunAsync("export", "--checkpoint", path, "--include-optimizer", "-o", native, "--json");
        var second = await CliRunner.RunAsync("export", "--checkpoint", path, "--format", "onnx", "-o", onnx);

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Equal("Adam", JsonDocument.Parse(first.Output).RootElement.GetProperty("optimizer").GetString());
        SavedModel loaded = ModelStore.Load(native);
        Assert.Equal(spec, loaded.Spec);
        Assert.Equal(weights, loaded.Weights);
        Assert.Equal(6L, loaded.Optimizer!.Step);
        Assert.Equal(["momentum", "velocity"], loaded.Optimizer.State.Select(s => s.Name));
        Assert.Contains("written as onnx", second.Output, StringComparison.Ordinal);
        Assert.True(new FileInfo(onnx).Length > weights.Length * sizeof(float));
    }

    [Theory]
    [InlineData("--format", "tflite", "--format must be native or onnx")]
    [InlineData("--format", "onnx", "--include-optimizer applies to --format native only")]
    public async Task BadExportFlagsAreUsageErrors(string flag, string value, string message)
    {
        var (path, _, _) = AdamCheckpoint();

        var result = await CliRunner.RunAsync("export", "--checkpoint", path, "--include-optimizer", flag, value, "-o", Path.Combine(_directory, "x"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingCheckpointIsAClearError()
    {
        var result = await CliRunner.RunAsync("export", "--checkpoint", Path.Combine(_directory, "none.msgpack"), "-o", Path.Combine(_directory, "x"));

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
    }

    private (string Path, ModelSpec Spec, float[] Weights) AdamCheckpoint()
    {
        var spec = new ModelSpec([5], [new DenseSpec(4, ActivationKind.Relu), new DenseSpec(3, ActivationKind.Softmax)], LossKind.SoftmaxCrossEntropy);
        var layout = ParameterLayout.For(spec);
        float[] weights = ParameterInitializer.Initialize(spec, 3);
        var adam = OptimizerSpec.Adam();
        OptimizerStateVector[] state = [.. adam.StateNames.Select(n => new OptimizerStateVector(n, new float[layout.Total]))];
        string path = Path.Combine(_directory, "checkpoint.msgpack");
        CheckpointStore.Save(path, new Checkpoint(spec.ToJson(), Checkpoint.LayoutOf(layout), weights, state, 6, 1, 3, JsonSerializer.Serialize(adam)));
        return (path, spec, weights);
    }
}
