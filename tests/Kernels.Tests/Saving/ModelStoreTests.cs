using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Saving;
using DistTrain.Kernels.Tests.Data;
using DistTrain.Kernels.Tests.Models;
using DistTrain.Kernels.Training;
using MessagePack;

namespace DistTrain.Kernels.Tests.Saving;

public sealed class ModelStoreTests : IDisposable
{
    private static readonly ModelSpec Spec = new([12], [new DenseSpec(16, ActivationKind.Relu), new DropoutSpec(0.1f), new DenseSpec(4)], LossKind.SoftmaxCrossEntropy);
    private static readonly OptimizerSpec Adam = OptimizerSpec.Adam(0.01f, amsgrad: true) with { ClipNorm = 1f, Schedule = new CosineDecaySchedule(50) { WarmupSteps = 2 } };

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AModelWithItsAdamStateLoadsBackBitForBitAndTrainsOnAsIfNeverSaved()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(256, 12, 4, 0.5f, seed: 3);
        var options = new TrainingOptions(32, 1, Adam, MicroShards: 4, Seed: 9);
        using var backend = new CpuBackend(1);
        using var uninterrupted = new LocalTrainer(Spec, options, backend);
        using var first = new LocalTrainer(Spec, options, backend);
        for (int s = 0; s < 5; s++)
        {
            uninterrupted.TrainStep(data);
            first.TrainStep(data);
        }

        string path = _dir.File("model.dtm");
        ModelStore.Save(path, new SavedModel(Spec, first.Weights, new SavedOptimizerState(Adam, first.OptimizerState, first.Step, first.SkippedSteps)));
        SavedModel loaded = ModelStore.Load(path);
        using var resumed = new LocalTrainer(loaded.Spec, options with { Optimizer = loaded.Optimizer!.Spec }, backend, loaded.Weights);
        resumed.LoadState(loaded.Weights, loaded.Optimizer.State, loaded.Optimizer.Step, loaded.Optimizer.SkippedSteps);
        for (int s = 0; s < 5; s++)
        {
            uninterrupted.TrainStep(data);
            resumed.TrainStep(data);
        }

        Assert.Equal(Spec, loaded.Spec);
        Assert.Equal(Adam, loaded.Optimizer.Spec);
        Assert.Equal(["momentum", "velocity", "velocity_hat"], loaded.Optimizer.State.Select(s => s.Name));
        SyntheticData.AssertBitIdentical(uninterrupted.Weights, resumed.Weights, "weights after 5 + 5 steps");
        for (int i = 0; i < 3; i++)
        {
            SyntheticData.AssertBitIdentical(uninterrupted.OptimizerState[i].Values, resumed.OptimizerState[i].Values, uninterrupted.OptimizerState[i].Name);
        }
    }

    [Fact]
    public void AModelWithoutOptimiserAndTheWeightsAloneRoundTrip()
    {
        float[] weights = ParameterInitializer.Initialize(Spec, 4);
        string model = _dir.File("model.dtm"), only = _dir.File("weights.dtw");

        ModelStore.Save(model, new SavedModel(Spec, weights));
        ModelStore.SaveWeights(only, Spec, weights);

        SavedModel loaded = ModelStore.Load(model);
        Assert.Null(loaded.Optimizer);
        SyntheticData.AssertBitIdentical(weights, loaded.Weights, "model weights");
        SyntheticData.AssertBitIdentical(weights, ModelStore.LoadWeights(only, Spec), "weights file");
        SyntheticData.AssertBitIdentical(weights, ModelStore.LoadWeights(model, Spec), "weights of a model file");
        Assert.Contains("weights only", Assert.Throws<ModelFileException>(() => ModelStore.Load(only)).Message);
    }

    [Fact]
    public void AFlippedByteFailsTheChecksumAndATruncatedFileIsRejected()
    {
        string path = _dir.File("model.dtm");
        ModelStore.Save(path, new SavedModel(Spec, ParameterInitializer.Initialize(Spec, 4)));
        byte[] bytes = File.ReadAllBytes(path);

        byte[] flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        var corrupt = Assert.Throws<ModelFileException>(() => ModelStore.Load(path));
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var truncated = Assert.Throws<ModelFileException>(() => ModelStore.Load(path));

        Assert.Contains("checksum", corrupt.Message);
        Assert.Contains("truncated", truncated.Message);
        Assert.Contains("does not exist", Assert.Throws<ModelFileException>(() => ModelStore.Load(path + ".missing")).Message);
    }

    [Fact]
    public void WeightsOfAnotherLayoutOrAnotherFileKindAreRefusedNamingWhy()
    {
        string path = _dir.File("model.dtm");
        ModelStore.Save(path, new SavedModel(Spec, ParameterInitializer.Initialize(Spec, 4)));
        var wider = Spec with { Layers = [new DenseSpec(17, ActivationKind.Relu), new DenseSpec(4)] };
        string checkpoint = _dir.File("checkpoint.msgpack");
        CheckpointStore.Save(checkpoint, new Checkpoint(Spec.ToJson(), Checkpoint.LayoutOf(ParameterLayout.For(Spec)), new float[ParameterLayout.For(Spec).Total], [], 0, 0, 1, "{}"));

        var layout = Assert.Throws<ModelFileException>(() => ModelStore.LoadWeights(path, wider));
        var notAModel = Assert.Throws<ModelFileException>(() => ModelStore.Load(checkpoint));
        var shortWeights = Assert.Throws<ModelFileException>(() => ModelStore.Save(path, new SavedModel(Spec, new float[5])));
        var wrongState = Assert.Throws<ModelFileException>(() => ModelStore.Save(path, new SavedModel(Spec, new float[ParameterLayout.For(Spec).Total], new SavedOptimizerState(Adam, [new OptimizerStateVector("velocity", new float[ParameterLayout.For(Spec).Total])], 1))));

        Assert.Contains("dense_0/kernel[12x16]", layout.Message);
        Assert.Contains("dense_0/kernel[12x17]", layout.Message);
        Assert.Contains("not a DistTrain model file", notAModel.Message);
        Assert.Contains("5 floats but the model has", shortWeights.Message);
        Assert.Contains("[velocity] but Adam keeps [momentum, velocity, velocity_hat]", wrongState.Message);
    }

    [Fact]
    public void AFileOfAnotherVersionIsRefused()
    {
        string path = _dir.File("model.dtm");
        File.WriteAllBytes(path, MessagePackSerializer.Serialize(new ModelFileEnvelope { Magic = ModelFileEnvelope.ExpectedMagic, Version = 7, Body = [], Sha256 = [] }));

        Assert.Contains("format version 7", Assert.Throws<ModelFileException>(() => ModelStore.Load(path)).Message);
    }

    [Fact]
    public void ACheckpointBecomesASavedModelWithOrWithoutItsOptimiser()
    {
        var layout = ParameterLayout.For(Spec);
        float[] weights = ParameterInitializer.Initialize(Spec, 4);
        OptimizerStateVector[] state = [.. Adam.StateNames.Select(n => new OptimizerStateVector(n, [.. weights.Select(w => w * 0.5f)]))];
        var checkpoint = new Checkpoint(Spec.ToJson(), Checkpoint.LayoutOf(layout), weights, state, 12, 1, 9, System.Text.Json.JsonSerializer.Serialize(Adam), SkippedSteps: 2);

        SavedModel bare = SavedModel.FromCheckpoint(checkpoint);
        SavedModel full = SavedModel.FromCheckpoint(checkpoint, includeOptimizer: true);

        Assert.Null(bare.Optimizer);
        Assert.Equal(Adam, full.Optimizer!.Spec);
        Assert.Equal((12L, 2L), (full.Optimizer.Step, full.Optimizer.SkippedSteps));
        Assert.Same(state, full.Optimizer.State);
    }
}
