using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;
using MessagePack;

namespace DistTrain.Kernels.Tests.Training;

public sealed class CheckpointStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "disttrain-checkpoint-tests", Guid.NewGuid().ToString("N"));

    private static readonly CheckpointTensor[] Layout =
    [
        new("dense_0/kernel", 0, 6, [3, 2]),
        new("dense_0/bias", 6, 2, [2]),
    ];

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static Checkpoint Sample(long step = 7) => new(
        "{\"model\":1}",
        Layout,
        [1f, -2f, float.Epsilon, -0f, 3.25f, 1e30f, 0.5f, -0.125f],
        [new OptimizerStateVector("velocity", [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f])],
        step,
        Epoch: 2,
        Seed: 42,
        OptimizerJson: "{\"LearningRate\":0.1}",
        SkippedSteps: Math.Min(3, step));

    [Fact]
    public void ASavedCheckpointLoadsBackBitForBit()
    {
        string path = CheckpointStore.PathIn(_directory);
        var saved = Sample();

        CheckpointStore.Save(path, saved);
        var loaded = CheckpointStore.Load(path);

        Assert.Equal(saved.ModelSpecJson, loaded.ModelSpecJson);
        Assert.Equal(saved.Weights.Select(BitConverter.SingleToInt32Bits), loaded.Weights.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(saved.OptimizerState, loaded.OptimizerState, StateComparer);
        Assert.Equal((7L, 2, 42UL, 3L), (loaded.Step, loaded.Epoch, loaded.Seed, loaded.SkippedSteps));
        Assert.Equal(saved.OptimizerJson, loaded.OptimizerJson);
        Assert.All(Layout.Zip(loaded.Layout), p => Assert.True(p.First.Matches(p.Second)));
    }

    [Fact]
    public void SavingAgainKeepsThePreviousCheckpointAndLeavesNoTemporaryFile()
    {
        string path = CheckpointStore.PathIn(_directory);

        CheckpointStore.Save(path, Sample(step: 1));
        CheckpointStore.Save(path, Sample(step: 2));

        Assert.Equal(2, CheckpointStore.Load(path).Step);
        Assert.Equal(1, CheckpointStore.Load(path + CheckpointStore.PreviousSuffix).Step);
        Assert.Equal(2, Directory.GetFiles(_directory).Length);
    }

    [Fact]
    public void ResolveFindsThePreviousCheckpointWhileASaveHasMovedTheLatestAside()
    {
        string path = CheckpointStore.PathIn(_directory);
        Assert.Null(CheckpointStore.Resolve(path));
        CheckpointStore.Save(path, Sample(step: 1));
        Assert.Equal(path, CheckpointStore.Resolve(path));

        File.Move(path, path + CheckpointStore.PreviousSuffix, overwrite: true); // a save's first rename, before its second

        Assert.Equal(1L, CheckpointStore.Load(CheckpointStore.Resolve(path)!).Step);
    }

    [Fact]
    public void ATruncatedFileIsRejectedAsNotACheckpoint()
    {
        string path = CheckpointStore.PathIn(_directory);
        CheckpointStore.Save(path, Sample());
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<CheckpointException>(() => CheckpointStore.Load(path));

        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void AFileOfAnotherFormatOrVersionIsRejected()
    {
        Directory.CreateDirectory(_directory);
        string path = Path.Combine(_directory, "other.msgpack");
        File.WriteAllBytes(path, MessagePackSerializer.Serialize(new CheckpointFile { Magic = "SomethingElse", Version = 1 }));
        var wrongMagic = Assert.Throws<CheckpointException>(() => CheckpointStore.Load(path));

        File.WriteAllBytes(path, MessagePackSerializer.Serialize(new CheckpointFile { Magic = CheckpointFile.ExpectedMagic, Version = 99 }));
        var wrongVersion = Assert.Throws<CheckpointException>(() => CheckpointStore.Load(path));

        Assert.Contains("not a DistTrain checkpoint", wrongMagic.Message);
        Assert.Contains("format version 99", wrongVersion.Message);
        Assert.Contains("does not exist", Assert.Throws<CheckpointException>(() => CheckpointStore.Load(path + ".missing")).Message);
    }

    [Fact]
    public void VectorsThatDoNotMatchTheLayoutAreRejected()
    {
        var shortWeights = Sample() with { Weights = new float[5] };
        var shortVelocity = Sample() with { OptimizerState = [new OptimizerStateVector("velocity", new float[9])] };
        var gap = Sample() with { Layout = [Layout[0], Layout[1] with { Offset = 7 }] };

        Assert.Contains("weights hold 5 floats but the layout has 8", Assert.Throws<CheckpointException>(shortWeights.ValidateSizes).Message);
        Assert.Contains("state 'velocity' holds 9", Assert.Throws<CheckpointException>(shortVelocity.ValidateSizes).Message);
        Assert.Contains("dense_0/bias", Assert.Throws<CheckpointException>(gap.ValidateSizes).Message);
        Assert.Throws<CheckpointException>(() => CheckpointStore.Save(CheckpointStore.PathIn(_directory), shortWeights));
    }

    [Fact]
    public void ACheckpointOfAnotherModelIsRejectedNamingTheFirstDifference()
    {
        var checkpoint = Sample();
        CheckpointTensor[] otherShape = [new("dense_0/kernel", 0, 6, [2, 3]), Layout[1]];
        CheckpointTensor[] moreTensors = [.. Layout, new("dense_1/kernel", 8, 0, [2, 0])];

        var shape = Assert.Throws<CheckpointException>(() => checkpoint.ValidateAgainst(otherShape));
        var count = Assert.Throws<CheckpointException>(() => checkpoint.ValidateAgainst(moreTensors));
        var json = Assert.Throws<CheckpointException>(() => checkpoint.ValidateAgainst(Layout, "{\"model\":2}"));
        checkpoint.ValidateAgainst(Layout, checkpoint.ModelSpecJson);

        Assert.Contains("dense_0/kernel[3x2]", shape.Message);
        Assert.Contains("dense_0/kernel[2x3]", shape.Message);
        Assert.Contains("2 parameter tensors but the model has 3", count.Message);
        Assert.Contains("different model", json.Message);
    }

    [Fact]
    public void TheLocalLoopsStateRoundTripsThroughACheckpointOfItsLayout()
    {
        var spec = new ModelSpec([4], [new DenseSpec(3, ActivationKind.Relu), new DenseSpec(2)], LossKind.MeanSquaredError);
        var layout = ParameterLayout.For(spec);
        var weights = ParameterInitializer.Initialize(spec, 5);
        var velocity = weights.Select(w => w * 0.5f).ToArray();
        string path = CheckpointStore.PathIn(_directory);

        CheckpointStore.Save(path, new Checkpoint(spec.ToJson(), Checkpoint.LayoutOf(layout), weights, [new OptimizerStateVector("velocity", velocity)], 3, 0, 5, "{}"));
        var loaded = CheckpointStore.Load(path);
        loaded.ValidateAgainst(layout);
        var other = ParameterLayout.For(spec with { Layers = [new DenseSpec(4), new DenseSpec(2)] });

        Assert.Equal(weights, loaded.Weights);
        Assert.Equal(velocity, loaded.OptimizerState.Single().Values);
        Assert.Contains("dense_0/kernel", Assert.Throws<CheckpointException>(() => loaded.ValidateAgainst(other)).Message);
    }

    [Fact]
    public void SeveralNamedStateVectorsRoundTripBitForBitAndMustMatchTheOptimizer()
    {
        string path = CheckpointStore.PathIn(_directory);
        var adam = Kernels.Optim.OptimizerSpec.Adam(amsgrad: true);
        var saved = Sample() with
        {
            OptimizerState = [.. adam.StateNames.Select((n, i) => new OptimizerStateVector(n, [.. Enumerable.Range(0, 8).Select(k => (k * 0.37f) - i)]))],
        };

        CheckpointStore.Save(path, saved);
        var loaded = CheckpointStore.Load(path);
        loaded.ValidateOptimizerState(adam);

        Assert.Equal(saved.OptimizerState, loaded.OptimizerState, StateComparer);
        Assert.Equal(4, loaded.AppliedUpdates);
        var sgd = Assert.Throws<CheckpointException>(() => loaded.ValidateOptimizerState(new Kernels.Optim.OptimizerSpec(0.1f)));
        Assert.Contains("[momentum, velocity, velocity_hat] but Sgd keeps [velocity]", sgd.Message);
    }

    [Fact]
    public void AVersion1CheckpointLoadsItsVelocityAsTheSgdState()
    {
        string path = CheckpointStore.PathIn(_directory);
        Directory.CreateDirectory(_directory);
        float[] velocity = [0.5f, -1f, 2f, 0f, 1f, 1f, 1f, 3f];
        var file = new CheckpointFile
        {
            Magic = CheckpointFile.ExpectedMagic,
            Version = 1,
            ModelSpecJson = "{}",
            Layout = [.. Layout.Select(t => new CheckpointFileTensor { Name = t.Name, Offset = t.Offset, Length = t.Length, Shape = t.Shape })],
            Weights = new byte[8 * sizeof(float)],
            Velocity = [.. velocity.SelectMany(BitConverter.GetBytes)],
            Step = 2,
            OptimizerJson = "{}",
        };
        File.WriteAllBytes(path, MessagePackSerializer.Serialize(file));

        var loaded = CheckpointStore.Load(path);

        Assert.Equal("velocity", loaded.OptimizerState.Single().Name);
        Assert.Equal(velocity, loaded.OptimizerState.Single().Values);
        loaded.ValidateOptimizerState(new Kernels.Optim.OptimizerSpec(0.1f, 0.9f));
    }

    private static readonly IEqualityComparer<OptimizerStateVector> StateComparer = EqualityComparer<OptimizerStateVector>.Create(
        (a, b) => a!.Name == b!.Name && a.Values.Select(BitConverter.SingleToInt32Bits).SequenceEqual(b.Values.Select(BitConverter.SingleToInt32Bits)),
        v => v.Name.GetHashCode(StringComparison.Ordinal));
}
