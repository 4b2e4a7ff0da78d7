// A user's own layer, written in C# on the tape API (the course's MyDense), trained distributed:
// the model spec names the layer type and its constructor arguments ("type": "custom"), Fit runs it
// on the embedded cluster (an Orleans silo in this process, one worker per CPU device), and the same
// spec trained by the single-process LocalTrainer gives the same bits. Synthetic data: runs offline.
//
//   dotnet run -c Release --project samples/CustomLayerCluster
//
// On a real cluster the silos need the layer's assembly: build it into a folder, set
// DistTrain:Plugins:Path to it on every silo, and pass FitOptions.Cluster (see docs/TENSORS.md).
using DistTrain;
using DistTrain.Grains.Runs;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Tensors;
using DistTrain.Kernels.Training;
using static DistTrain.Kernels.Tensors.Tensor;
using TapeLayer = DistTrain.Kernels.Tensors.Layers.Layer;

const int Features = 64, Classes = 10, Samples = 2048, Epochs = 2, Batch = 64;

// Two CPU workers in the embedded silo (configuration, as DistTrain:Devices:CpuWorkers=2), so the
// micro-shards of every step are split over two replicas of the custom layer.
Environment.SetEnvironmentVariable("DistTrain__Devices__CpuWorkers", "2");
Environment.SetEnvironmentVariable("DistTrain__Devices__CpuThreads", "1");
var (features, labels) = Synthetic();
var data = DataSource.FromArrays(features, labels, Classes, [Features]);

var model = new Sequential(Features)
    .Add(CustomLayerSpec.For<MyDense>(new { units = 32, activation = "relu" }))
    .Add(CustomLayerSpec.For<MyDense>(new { units = Classes }));
var optimizer = new DistTrain.Sgd(LearningRate: 0.1f, Momentum: 0.9f);
model.Compile(optimizer, "categorical_crossentropy", "accuracy");
Console.WriteLine(model.Spec.ToJson());

var history = await model.FitAsync(data, epochs: Epochs, batchSize: Batch);
foreach (var epoch in history.Epochs)
{
    Console.WriteLine($"epoch {epoch.Epoch}/{Epochs}  loss {epoch.Loss:F4}  acc {epoch.Accuracy ?? 0:P2}");
}

var accuracy = model.Evaluate(data).Accuracy ?? 0;
Console.WriteLine($"distributed: {history.Summary.Steps} steps on {history.Summary.Workers} workers, train accuracy {accuracy * 100:F2}%");

// The same spec, optimiser and seed in the single-process loop: the bit-exact reference.
var options = new TrainingOptions(Batch, Epochs, optimizer.ToSettings().ToSpec(), MicroShards: 8, Seed: 1);
using var local = new LocalTrainer(model.Spec, options, new CpuBackend(1));
var samples = new InMemoryDataSet(features, OneHotRows(labels), [Features], Classes);
for (long s = 0; s < history.Summary.Steps; s++)
{
    local.TrainStep(samples);
}

bool same = local.Weights.AsSpan().SequenceEqual(model.Weights!);
Console.WriteLine($"local loop: {local.Step} steps, same bits as the distributed run: {(same ? "yes" : "no")}");
return same ? 0 : 1;

static (float[] Features, int[] Labels) Synthetic()
{
    var prototypes = Tensor.Random.Uniform([Classes, Features], seed: 11);
    var classes = Tensor.Random.Uniform([Samples], 0, Classes, DType.Int32, seed: 12);
    var x = Gather(prototypes, classes) + Tensor.Random.Normal([Samples, Features], 0, 0.3, seed: 13);
    return (x.ToArray<float>(), classes.ToArray<int>());
}

static float[] OneHotRows(int[] labels)
{
    var rows = new float[labels.Length * Classes];
    for (int i = 0; i < labels.Length; i++)
    {
        rows[(i * Classes) + labels[i]] = 1f;
    }

    return rows;
}

/// <summary>The course's MyDense: <c>activation(x @ w + b)</c>; the input size is taken from the first call.</summary>
public sealed class MyDense(int units, string activation = "linear") : TapeLayer
{
    private Variable? _w;
    private Variable? _b;

    /// <inheritdoc />
    public override Tensor Call(Tensor input, bool training = false)
    {
        var y = MatMul(input, _w!) + _b!;
        return activation == "relu" ? Relu(y) : y;
    }

    /// <inheritdoc />
    protected override void Build(TensorShape inputShape)
    {
        _w = AddWeight("w", [inputShape[-1], units]);
        _b = AddWeight("b", [units], DistTrain.Kernels.Tensors.Layers.Initializers.Zeros());
    }
}
