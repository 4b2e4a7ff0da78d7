using DistTrain.Callbacks;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Training;

namespace DistTrain.Client.Tests.Library;

/// <summary>
/// The library API end to end on the embedded cluster: a Sequential model compiled and fitted
/// on arrays in memory, with callbacks, then evaluated and used for predictions.
/// </summary>
public sealed class ModelApiTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-api-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task FitOnArraysLearnsALinearMapWithValidationStepReportsAndCheckpoints()
    {
        var (x, y) = Linear(512, weight: 2.5f, bias: -0.7f);
        var model = new Sequential(1).Dense(1);
        model.Compile(new Sgd(0.1f, Momentum: 0.9f), "mse");
        var steps = new List<long>();
        var epochsSeen = new List<int>();
        var checkpoints = new ModelCheckpoint(Path.Combine(_directory, "ckpt"), everyEpochs: 4);

        var history = await model.FitAsync(
            DataSource.FromArrays(x, y, [1], 1),
            epochs: 12,
            batchSize: 32,
            validationSplit: 0.25,
            callbacks: [new LambdaCallback(onStepEnd: s => steps.Add(s.Step), onEpochEnd: e => epochsSeen.Add(e.Epoch)), checkpoints],
            options: new FitOptions { PollInterval = TimeSpan.FromMilliseconds(100), MicroShards = 4 });

        // 384 training samples (the first 75%), 12 steps per epoch.
        Assert.Equal("Completed", history.Summary.State);
        Assert.Equal(12, history.Epochs.Count);
        Assert.Equal(Enumerable.Range(1, 12), epochsSeen);
        Assert.Equal(144, history.Summary.Steps);
        Assert.Equal(Enumerable.Range(0, 144).Select(i => (long)i), steps);
        Assert.All(history["accuracy"], a => Assert.Null(a));
        // Validation runs when the client notices an epoch's end (epochs of milliseconds may pass
        // unseen); the last epoch's is that of the final weights.
        Assert.NotNull(history["val_loss"][^1]);
        Assert.True(history["val_loss"][^1] < 1e-3, $"val_loss {history["val_loss"][^1]}");

        // Weights are [kernel, bias]; the prediction and Evaluate agree with a hand computation.
        var weights = Assert.IsType<float[]>(model.Weights);
        Assert.Equal(2.5, weights[0], 0.02);
        Assert.Equal(-0.7, weights[1], 0.02);
        var predicted = model.Predict([1f, -1f]);
        Assert.Equal(weights[0] + weights[1], predicted[0], 1e-5);
        Assert.Equal(-weights[0] + weights[1], predicted[1], 1e-5);
        var held = DataSource.FromArrays(x[384..], y[384..], [1], 1);
        var metrics = model.Evaluate(held);
        var mse = x[384..].Zip(y[384..], (xi, yi) => Math.Pow((weights[0] * xi) + weights[1] - yi, 2)).Average();
        Assert.Equal(mse, metrics.Loss, 1e-6);
        Assert.Equal(128, metrics.Samples);
        Assert.Equal(mse, history["val_loss"][^1]!.Value, 1e-6);

        // Every 4th epoch is kept unless the run had already replaced its checkpoint (epochs of a few
        // milliseconds); the last one always is, and each kept file is the checkpoint of its epoch's end.
        var kept = checkpoints.Saved.Select(p => int.Parse(Path.GetFileNameWithoutExtension(p)["epoch-".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([4, 8, 12], kept.Concat(checkpoints.Missed).Order());
        Assert.Equal(12, kept[^1]);
        Assert.All(checkpoints.Saved.Zip(kept), p => Assert.Equal(p.Second * 12L, CheckpointStore.Load(p.First).Step));
        Assert.Equal(weights, CheckpointStore.Load(checkpoints.Saved[^1]).Weights);
    }

    [Fact]
    public async Task ACallbackThatSetsStopTrainingEndsTheRunEarly()
    {
        var (features, labels) = Clusters(400);
        var model = new Sequential(2).Dense(8, ActivationKind.Relu).Dense(2, ActivationKind.Softmax);
        model.Compile(new Sgd(0.05f), "categorical_crossentropy", "accuracy");
        var progress = 0;
        var history = await model.FitAsync(
            DataSource.FromArrays(features, labels, 2, [2]),
            epochs: 200,
            batchSize: 8,
            validationData: DataSource.FromArrays(features[..200], labels[..100], 2, [2]),
            callbacks: [new LambdaCallback(onEpochEnd: e => model.StopTraining |= e.Epoch >= 2), new ProgressCallback(_ => progress++)],
            options: new FitOptions { PollInterval = TimeSpan.FromMilliseconds(50), CheckpointDirectory = Path.Combine(_directory, "stopped") });

        Assert.True(history.StoppedEarly);
        Assert.Equal("Stopped", history.Summary.State);
        Assert.InRange(history.Epochs.Count, 2, 199);
        Assert.True(progress > 0);
        Assert.All(history["accuracy"], a => Assert.InRange(a!.Value, 0, 1));
        Assert.NotNull(history["val_accuracy"][^1]);
        Assert.Equal(history["val_accuracy"][^1], model.Evaluate(DataSource.FromArrays(features[..200], labels[..100], 2, [2])).Accuracy);
    }

    [Fact]
    public async Task SamplesInMemoryCannotGoToARunningClusterAndSayWhy()
    {
        var (x, y) = Linear(64, 1, 0);
        var model = new Sequential(1).Dense(1).Compile(new Sgd(0.1f), "mse");
        var error = await Assert.ThrowsAsync<DistTrainException>(() => model.FitAsync(
            DataSource.FromArrays(x, y, [1], 1), options: new FitOptions { Cluster = "127.0.0.1:30000" }));
        Assert.Contains("cannot reach the silos", error.Message, StringComparison.Ordinal);
        Assert.Contains("DataSource.Csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheExchangeOptionsReachTheRunBucketsKeepTheBitsAndBf16StaysClose()
    {
        var (x, y) = Linear(256, weight: 1.5f, bias: 0.3f);
        async Task<float[]> Fit(FitOptions options)
        {
            var model = new Sequential(1).Dense(16, ActivationKind.Relu).Dense(1);
            model.Compile(new Sgd(0.05f, Momentum: 0.9f), "mse");
            var history = await model.FitAsync(DataSource.FromArrays(x, y, [1], 1), epochs: 4, batchSize: 32, options: options with { PollInterval = TimeSpan.FromMilliseconds(50), MicroShards = 4 });
            Assert.Equal("Completed", history.Summary.State);
            return Assert.IsType<float[]>(model.Weights);
        }

        var whole = await Fit(new FitOptions { BucketBytes = 0 });
        var bucketed = await Fit(new FitOptions { BucketBytes = 16 });
        var bf16 = await Fit(new FitOptions { Compression = Grains.GradientCompression.Bf16 });

        // Buckets of 4 floats push the same sums as one push after the backward: the same bits.
        Assert.Equal(whole, bucketed);
        // bfloat16 on the wire changes the bits (so the setting reached the workers) but not the fit.
        Assert.NotEqual(whole, bf16);
        Assert.All(whole.Zip(bf16), p => Assert.Equal(p.First, p.Second, 0.05));
    }

    [Fact]
    public async Task BadSettingsFailBeforeAnyClusterStarts()
    {
        var (x, y) = Linear(64, 1, 0);
        var data = DataSource.FromArrays(x, y, [1], 1);
        var uncompiled = new Sequential(1).Dense(1);
        await Assert.ThrowsAsync<InvalidOperationException>(() => uncompiled.FitAsync(data));
        Assert.Throws<ArgumentException>(() => uncompiled.Compile(new Sgd(0.1f), "hinge"));
        Assert.Throws<ArgumentException>(() => uncompiled.Compile(new Sgd(0.1f), "mse", "auc"));
        Assert.Throws<ArgumentException>(() => uncompiled.Compile(new Sgd(-1f), "mse"));
        Assert.Throws<ArgumentException>(() => uncompiled.Compile(new Sgd(0.1f, Nesterov: true), "mse"));

        var model = new Sequential(1).Dense(3).Compile(new Sgd(0.1f), "mse");
        var shape = await Assert.ThrowsAsync<ArgumentException>(() => model.FitAsync(data));
        Assert.Contains("gives 3 outputs", shape.Message, StringComparison.Ordinal);
        var compiled = new Sequential(1).Dense(1).Compile(new Sgd(0.1f), "mse");
        await Assert.ThrowsAsync<ArgumentException>(() => compiled.FitAsync(data, batchSize: 12));
        await Assert.ThrowsAsync<ArgumentException>(() => compiled.FitAsync(data, batchSize: 128, options: new FitOptions { MicroShards = 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => compiled.FitAsync(data, validationSplit: 0.2, validationData: data));
        await Assert.ThrowsAsync<ArgumentException>(() => compiled.FitAsync(data, batchSize: 32, options: new FitOptions { ServerSlices = -1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => compiled.FitAsync(data, batchSize: 32, options: new FitOptions { BucketBytes = -1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => compiled.FitAsync(data, batchSize: 32, options: new FitOptions { Compression = (Grains.GradientCompression)7 }));
        await Assert.ThrowsAsync<ArgumentException>(() => compiled.FitAsync(data, callbacks: [new Callbacks.EarlyStopping("val_loss")]));
        Assert.Throws<InvalidOperationException>(() => compiled.Predict([1f]));
        Assert.Throws<ArgumentException>(() => DataSource.Named("imagenet"));
        Assert.Throws<ArgumentException>(() => DataSource.Mnist("validation"));
        Assert.Throws<DistTrainException>(() => DataSource.Csv(Path.Combine(_directory, "missing.csv")));
    }

    [Fact]
    public void APresetModelHasThePresetsSpecAndOptimiser()
    {
        var model = Model.FromPreset("mnist-mlp");
        Assert.True(model.IsCompiled);
        Assert.Equal(Runs.TrainingPresets.MnistMlp.Optimizer, model.Optimizer!.ToSettings());
        Assert.Equal(Kernels.Models.ModelSpec.FromJson(Runs.TrainingPresets.MnistMlp.ModelSpecJson(784)), model.Spec);
        var built = new Sequential(784).Dense(512, ActivationKind.Relu).Dropout(0.2f).Dense(256, ActivationKind.Relu).Dropout(0.2f).Dense(10);
        built.Compile(new Sgd(0.05f), "categorical_crossentropy");
        Assert.Equal(model.Spec, built.Spec);
    }

    private static (float[] X, float[] Y) Linear(int rows, float weight, float bias)
    {
        var random = new Random(7);
        var x = new float[rows];
        var y = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            x[i] = (random.NextSingle() * 4f) - 2f;
            y[i] = (weight * x[i]) + bias + ((random.NextSingle() - 0.5f) * 0.02f);
        }

        return (x, y);
    }

    /// <summary>Two separable 2-D clusters, labels alternating.</summary>
    private static (float[] Features, int[] Labels) Clusters(int rows)
    {
        var random = new Random(3);
        var features = new float[rows * 2];
        var labels = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            labels[i] = i % 2;
            var centre = labels[i] == 0 ? -1f : 1f;
            features[2 * i] = centre + ((random.NextSingle() - 0.5f) * 0.8f);
            features[(2 * i) + 1] = -centre + ((random.NextSingle() - 0.5f) * 0.8f);
        }

        return (features, labels);
    }
}
