using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Tensors;
using DistTrain.Kernels.Tensors.Layers;
using DistTrain.Kernels.Tests.Models;
using DistTrain.Kernels.Training;
using static DistTrain.Kernels.Tensors.Tensor;
using TapeLayer = DistTrain.Kernels.Tensors.Layers.Layer;

namespace DistTrain.Kernels.Tests.Tensors;

/// <summary>A user's tape layer in the trainer: <see cref="CustomLayerSpec"/> and its adapter <see cref="CustomLayer"/>.</summary>
public sealed class CustomLayerSpecTests
{
    private static readonly InMemoryDataSet Data = SyntheticData.Prototypes(256, 20, 5, 0.5f, seed: 1);

    [Fact]
    public void TheCustomDenseGivesTheBuiltInDensesLossAndGradientsBitForBit()
    {
        var builtIn = new ModelSpec([20], [new DenseSpec(16, ActivationKind.Relu), new DenseSpec(5)], LossKind.SoftmaxCrossEntropy);
        var custom = builtIn with { Layers = [CustomLayerSpec.For<TestDense>(new { units = 16, activation = "relu" }), CustomLayerSpec.For<TestDense>(new { units = 5 })] };
        Assert.Equal(["custom_0/kernel", "custom_0/bias", "custom_1/kernel", "custom_1/bias"], ParameterLayout.For(custom).Entries.Select(e => e.Name));
        Assert.Equal(ParameterLayout.For(builtIn).Entries.Select(e => e.Shape), ParameterLayout.For(custom).Entries.Select(e => e.Shape));

        float[] weights = ParameterInitializer.Initialize(custom, 3);
        var plan = new BatchPlan(Data.Count, 64, 8, 5);
        using var backend = new CpuBackend(2);
        using var a = new ModelReplica(builtIn, backend);
        using var b = new ModelReplica(custom, backend);
        a.SetWeights(weights);
        b.SetWeights(weights);
        for (long step = 0; step < 3; step++)
        {
            ShardGradients expected = a.ComputeGradients(Data, plan, step, 0, 8);
            ShardGradients actual = b.ComputeGradients(Data, plan, step, 0, 8);
            Assert.Equal(expected.LossSum, actual.LossSum);
            Assert.Equal(expected.Correct, actual.Correct);
            SyntheticData.AssertBitIdentical(Assert.Single(expected.Partials).Gradient, Assert.Single(actual.Partials).Gradient, $"step {step}");
        }
    }

    [Fact]
    public void AnySplitOfTheMicroShardsGivesTheBitsOfAllAtOnce()
    {
        var spec = new ModelSpec([20], [CustomLayerSpec.For<ScaledTanh>(new { units = 12 }), CustomLayerSpec.For<TestDense>(new { units = 5 })], LossKind.SoftmaxCrossEntropy);
        float[] weights = ParameterInitializer.Initialize(spec, 8);
        var plan = new BatchPlan(Data.Count, 64, 8, 2);
        using var backend = new CpuBackend(2);
        using var whole = new ModelReplica(spec, backend);
        using var worker = new ModelReplica(spec, backend);
        whole.SetWeights(weights);
        worker.SetWeights(weights);

        float[] all = Assert.Single(whole.ComputeGradients(Data, plan, 1, 0, 8).Partials).Gradient;
        foreach (int[] split in new[] { new[] { 0, 4, 8 }, [0, 1, 2, 3, 4, 5, 6, 7, 8], [0, 3, 8] })
        {
            var reducer = new TreeReducer(8, whole.Layout.Total);
            for (int i = 0; i + 1 < split.Length; i++)
            {
                foreach (PartialGradient partial in worker.ComputeGradients(Data, plan, 1, split[i], split[i + 1] - split[i]).Partials)
                {
                    Assert.True(reducer.Add(partial.Node, partial.Gradient));
                }
            }

            SyntheticData.AssertBitIdentical(all, reducer.Root, $"split {string.Join(",", split)}");
        }
    }

    [Fact]
    public void GradientsThroughTwoCustomLayersMatchCentralFiniteDifferences()
    {
        // MSE on a small regression: the first layer's gradients flow through the second's input gradient.
        var data = SyntheticData.Regression(16, 4, 2, (x, o) => MathF.Sin(x[o]) + (0.5f * x[3]), seed: 2);
        var spec = new ModelSpec([4], [CustomLayerSpec.For<ScaledTanh>(new { units = 6 }), CustomLayerSpec.For<TestDense>(new { units = 2 })], LossKind.MeanSquaredError);
        var plan = new BatchPlan(data.Count, 16, 4, 0);
        float[] weights = ParameterInitializer.Initialize(spec, 1);
        using var backend = new CpuBackend(1);
        using var replica = new ModelReplica(spec, backend);
        replica.SetWeights(weights);
        float[] gradient = Assert.Single(replica.ComputeGradients(data, plan, 0, 0, 4).Partials).Gradient;

        const float h = 1e-2f;
        for (int i = 0; i < weights.Length; i++)
        {
            float[] up = (float[])weights.Clone();
            float[] down = (float[])weights.Clone();
            up[i] += h;
            down[i] -= h;
            replica.SetWeights(up);
            double lossUp = replica.ComputeGradients(data, plan, 0, 0, 4).LossSum;
            replica.SetWeights(down);
            double lossDown = replica.ComputeGradients(data, plan, 0, 0, 4).LossSum;
            double numeric = (lossUp - lossDown) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 2e-3 + (2e-2 * Math.Abs(numeric)), $"{replica.Layout.Entries.First(e => i < e.Offset + e.Length).Name}[{i}]: tape {gradient[i]}, finite difference {numeric}");
        }
    }

    [Fact]
    public void AModelOfLayersIsOneCustomLayerWhoseWeightsAreNamedByTheirFields()
    {
        var spec = new ModelSpec([20], [CustomLayerSpec.For<TwoLayerModel>(new { hidden = 8, classes = 5 })], LossKind.SoftmaxCrossEntropy);
        var layout = ParameterLayout.For(spec);
        Assert.Equal(["custom_0/fc1/kernel", "custom_0/fc1/bias", "custom_0/fc2/kernel", "custom_0/fc2/bias"], layout.Entries.Select(e => e.Name));
        Assert.Equal((20 * 8) + 8 + (8 * 5) + 5, layout.Total);
    }

    [Fact]
    public void InitialWeightsComeFromTheLayersInitialisersSeededByTheRunAndLeaveTheThreadsGeneratorAlone()
    {
        var spec = new ModelSpec([20], [CustomLayerSpec.For<TestDense>(new { units = 16, activation = "relu" }), CustomLayerSpec.For<TestDense>(new { units = 5 })], LossKind.SoftmaxCrossEntropy);
        Tensor.Random.SetSeed(99);
        float[] expectedDraw = Tensor.Random.Uniform([4]).ToArray<float>();
        Tensor.Random.SetSeed(99);

        float[] first = ParameterInitializer.Initialize(spec, 42);
        float[] again = ParameterInitializer.Initialize(ModelSpec.FromJson(spec.ToJson()), 42);
        float[] other = ParameterInitializer.Initialize(spec, 43);

        Assert.Equal(expectedDraw, Tensor.Random.Uniform([4]).ToArray<float>());
        SyntheticData.AssertBitIdentical(first, again, "same seed");
        Assert.NotEqual(first, other);
        double limit = Math.Sqrt(6.0 / (20 + 16)); // Glorot uniform, as AddWeight's default
        Assert.All(first.AsSpan(0, 20 * 16).ToArray(), w => Assert.InRange(w, -limit, limit));
        Assert.Contains(first.AsSpan(0, 20 * 16).ToArray(), w => Math.Abs(w) > limit / 2);
        Assert.All(first.AsSpan(20 * 16, 16).ToArray(), w => Assert.Equal(0f, w));
        Assert.NotEqual(first.AsSpan(0, 16).ToArray(), first.AsSpan((20 * 16) + 16, 16).ToArray()); // the layers draw different streams
    }

    [Fact]
    public void TheSpecRoundTripsThroughJsonWithItsTypeAndArguments()
    {
        var spec = new ModelSpec([20], [CustomLayerSpec.For<TestDense>(new { units = 16, activation = "relu" }), new DenseSpec(5)], LossKind.SoftmaxCrossEntropy);
        string json = spec.ToJson();

        Assert.Contains("\"type\": \"custom\"", json);
        Assert.Contains($"\"layerType\": \"{typeof(TestDense).FullName}, DistTrain.Kernels.Tests\"", json);
        Assert.Contains("\"units\": 16", json);
        ModelSpec read = ModelSpec.FromJson(json);
        Assert.Equal(spec, read);
        Assert.Equal(json, read.ToJson());
        Assert.NotEqual(spec, spec with { Layers = [CustomLayerSpec.For<TestDense>(new { units = 17, activation = "relu" }), new DenseSpec(5)] });
        Assert.Equal([5], read.OutputShape);
    }

    [Fact]
    public void AnUnknownTypeOrArgumentIsAnErrorThatNamesIt()
    {
        const string json = """{"inputShape":[4],"layers":[{"type":"custom","layerType":"Nowhere.Missing, NoSuchAssembly"}],"loss":"meanSquaredError"}""";
        var missing = Assert.Throws<FormatException>(() => ModelSpec.FromJson(json));
        Assert.Contains("custom_0", missing.Message);
        Assert.Contains("'Nowhere.Missing, NoSuchAssembly' was not found in this process", missing.Message);

        var resolver = new LayerTypeResolver([], searchDefaultContext: false, where: "on silo X (plugin folder not set, configuration key DistTrain:Plugins:Path)");
        string known = new ModelSpec([4], [CustomLayerSpec.For<TestDense>(new { units = 2 })], LossKind.MeanSquaredError).ToJson();
        var elsewhere = Assert.Throws<FormatException>(() => ModelSpec.FromJson(known, resolver));
        Assert.Contains($"{typeof(TestDense).FullName}, DistTrain.Kernels.Tests' was not found on silo X (plugin folder not set, configuration key DistTrain:Plugins:Path)", elsewhere.Message);

        var badArgument = Assert.Throws<ArgumentException>(() => new ModelSpec([4], [CustomLayerSpec.For<TestDense>(new { width = 2 })], LossKind.MeanSquaredError).Validate());
        Assert.Contains("no public constructor of", badArgument.Message);
        Assert.Contains("TestDense(Int32 units, String activation = …)", badArgument.Message);

        var notALayer = Assert.Throws<ArgumentException>(() => new ModelSpec([4], [new CustomLayerSpec("System.String")], LossKind.MeanSquaredError).Validate());
        Assert.Contains($"does not derive from {typeof(TapeLayer).FullName}", notALayer.Message);
    }

    [Fact]
    public void TheLocalTrainerTrainsACustomLayerModelWithTheBuiltInDensesBits()
    {
        var builtIn = new ModelSpec([20], [new DenseSpec(16, ActivationKind.Relu), new DenseSpec(5)], LossKind.SoftmaxCrossEntropy);
        var custom = builtIn with { Layers = [CustomLayerSpec.For<TestDense>(new { units = 16, activation = "relu" }), CustomLayerSpec.For<TestDense>(new { units = 5 })] };
        var options = new TrainingOptions(64, 1, new OptimizerSpec(0.1f, Momentum: 0.9f), 8, Seed: 4);
        float[] initial = ParameterInitializer.Initialize(custom, 4);
        using var a = new LocalTrainer(builtIn, options, new CpuBackend(1), initial);
        using var b = new LocalTrainer(custom, options, new CpuBackend(1));

        double first = 0, last = 0;
        for (int s = 0; s < 20; s++)
        {
            a.TrainStep(Data);
            var result = b.TrainStep(Data);
            first = s == 0 ? result.Loss : first;
            last = result.Loss;
        }

        SyntheticData.AssertBitIdentical(a.Weights, b.Weights, "after 20 steps");
        Assert.True(last < first / 2, $"loss {first} -> {last}");
    }
}

/// <summary>The course's MyDense on the tape: <c>activation(x @ kernel + bias)</c>, weights made in Build.</summary>
public sealed class TestDense(int units, string activation = "linear") : TapeLayer
{
    private Variable? _kernel;
    private Variable? _bias;

    /// <inheritdoc />
    public override Tensor Call(Tensor input, bool training = false)
    {
        var y = MatMul(input, _kernel!) + _bias!;
        return activation == "relu" ? Relu(y) : y;
    }

    /// <inheritdoc />
    protected override void Build(TensorShape inputShape)
    {
        _kernel = AddWeight("kernel", [inputShape[-1], units]);
        _bias = AddWeight("bias", [units], Initializers.Zeros());
    }
}

/// <summary>Not a Dense: <c>tanh(x @ w) * scale + shift</c>, with per-unit scale and shift.</summary>
public sealed class ScaledTanh(int units) : TapeLayer
{
    private Variable? _w;
    private Variable? _scale;
    private Variable? _shift;

    /// <inheritdoc />
    public override Tensor Call(Tensor input, bool training = false) => (Tanh(MatMul(input, _w!)) * _scale!) + _shift!;

    /// <inheritdoc />
    protected override void Build(TensorShape inputShape)
    {
        _w = AddWeight("w", [inputShape[-1], units]);
        _scale = AddWeight("scale", [units], Initializers.RandomNormal(1, 0.2));
        _shift = AddWeight("shift", [units], Initializers.RandomNormal(0, 0.2));
    }
}

/// <summary>The course's MyModel: layers held in fields.</summary>
public sealed class TwoLayerModel(int hidden, int classes) : Model
{
    private readonly TestDense _fc1 = new(hidden, "relu");
    private readonly TestDense _fc2 = new(classes);

    /// <inheritdoc />
    public override Tensor Call(Tensor input, bool training = false) => _fc2.Invoke(_fc1.Invoke(input, training), training);
}
