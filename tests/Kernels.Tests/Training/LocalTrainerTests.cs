using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Tests.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Training;

public sealed class LocalTrainerTests
{
    private static readonly OptimizerSpec Busy = new(0.05f, 0.9f, Nesterov: true, WeightDecay: 1e-4f, ClipNorm: 0.5f, Schedule: new CosineDecaySchedule(20) { WarmupSteps = 2 });

    [Fact]
    public void FullTrainingStepsAreBitIdenticalWithOneAndTwoThreadsAndTwiceInARow()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(400, 784, 10, 1f, seed: 11);
        var options = new TrainingOptions(200, 1, Busy, Seed: 3);
        var runs = new List<(float[] Weights, float[] Velocity)>();
        foreach (int threads in new[] { 1, 2, 2 })
        {
            using var backend = new CpuBackend(threads);
            using var trainer = new LocalTrainer(ModelPresets.MnistMlp(), options, backend);
            trainer.TrainStep(data);
            trainer.TrainStep(data);
            runs.Add((trainer.Weights, trainer.Velocity));
        }

        SyntheticData.AssertBitIdentical(runs[0].Weights, runs[1].Weights, "weights, 1 vs 2 threads");
        SyntheticData.AssertBitIdentical(runs[0].Velocity, runs[1].Velocity, "velocity, 1 vs 2 threads");
        SyntheticData.AssertBitIdentical(runs[1].Weights, runs[2].Weights, "weights, twice with 2 threads");
    }

    [Fact]
    public void LocalLoopMatchesTheDistributedPathBitForBit()
    {
        var spec = new ModelSpec([30], [new DenseSpec(24, ActivationKind.Relu), new DenseSpec(16, ActivationKind.Sigmoid), new DenseSpec(6)], LossKind.SoftmaxCrossEntropy);
        InMemoryDataSet data = SyntheticData.Prototypes(500, 30, 6, 0.8f, seed: 12);
        var options = new TrainingOptions(64, 1, Busy, MicroShards: 8, Seed: 5);
        using var localBackend = new CpuBackend(2);
        using var local = new LocalTrainer(spec, options, localBackend);

        // The distributed path: three workers on their own backends with uneven ranges, a
        // parameter server that adds the partials with a TreeReducer and applies the same SGD.
        int[] ranges = [0, 3, 4, 8];
        using var serverBackend = new CpuBackend(1);
        var workerBackends = ranges.Skip(1).Select(_ => new CpuBackend(1)).ToArray();
        var workers = workerBackends.Select(b => new ModelReplica(spec, b)).ToArray();
        using DeviceBuffer weights = serverBackend.Allocate(local.Layout.Total);
        using DeviceBuffer gradient = serverBackend.Allocate(local.Layout.Total);
        using DeviceBuffer velocity = serverBackend.Allocate(local.Layout.Total);
        weights.Upload(ParameterInitializer.Initialize(spec, options.Seed));
        var plan = new BatchPlan(data.Count, 64, 8, options.Seed);
        var reducer = new TreeReducer(8, local.Layout.Total);
        try
        {
            for (long step = 0; step < 12; step++)
            {
                local.TrainStep(data);

                reducer.Reset();
                float[] current = weights.ToArray();
                for (int w = workers.Length - 1; w >= 0; w--)
                {
                    workers[w].SetWeights(current);
                    foreach (PartialGradient p in workers[w].ComputeGradients(data, plan, step, ranges[w], ranges[w + 1] - ranges[w]).Partials)
                    {
                        reducer.Add(p.Node, p.Gradient);
                    }
                }

                gradient.Upload(reducer.Root);
                StepDecision d = Optimizer.Decide(options.Optimizer, step, serverBackend.SumOfSquares(gradient), plan.GlobalBatch);
                Optimizer.Apply(serverBackend, weights, gradient, [velocity.All], options.Optimizer, d, step + 1);
            }
        }
        finally
        {
            foreach (IDisposable d in workers.Cast<IDisposable>().Concat(workerBackends))
            {
                d.Dispose();
            }
        }

        Assert.Equal(12, local.Step);
        SyntheticData.AssertBitIdentical(weights.ToArray(), local.Weights, "weights");
        SyntheticData.AssertBitIdentical(velocity.ToArray(), local.Velocity, "velocity");
    }

    [Fact]
    public void LinearRegressionByGradientDescentRecoversSlopeAndIntercept()
    {
        InMemoryDataSet data = SyntheticData.Regression(1024, 1, 1, (x, _) => (3f * x[0]) - 2f, seed: 13);
        var options = new TrainingOptions(32, 15, new OptimizerSpec(0.1f), MicroShards: 4, Seed: 1);
        using var backend = new CpuBackend(1);
        using var trainer = new LocalTrainer(ModelPresets.LinearRegression(), options, backend);

        History history = trainer.Fit(data);

        float[] w = trainer.Weights;
        Assert.Equal(3f, w[0], 0.01f);
        Assert.Equal(-2f, w[1], 0.01f);
        Assert.Equal(15, history.Epochs.Count);
        Assert.True(history.Epochs[^1].Loss < 1e-4, $"final loss {history.Epochs[^1].Loss}");
        Assert.True(double.IsNaN(trainer.Evaluate(data).Accuracy));
    }

    [Fact]
    public void MnistMlpFitsASyntheticTenClassProblem()
    {
        InMemoryDataSet train = SyntheticData.Prototypes(2000, 784, 10, 1.5f, seed: 14);
        InMemoryDataSet test = SyntheticData.Prototypes(500, 784, 10, 1.5f, seed: 15);
        var options = new TrainingOptions(100, 2, new OptimizerSpec(0.05f, 0.9f), MicroShards: 4, Seed: 2);
        using var backend = new CpuBackend();
        using var trainer = new LocalTrainer(ModelPresets.MnistMlp(), options, backend);

        double before = trainer.Evaluate(test).Accuracy;
        History history = trainer.Fit(train);
        EvaluationResult after = trainer.Evaluate(test);

        Assert.True(before < 0.5, $"untrained accuracy {before}");
        Assert.True(after.Accuracy > 0.95, $"test accuracy {after.Accuracy}, history {string.Join("; ", history.Epochs)}");
        Assert.True(history.Epochs[1].Loss < history.Epochs[0].Loss);
        float[] p = trainer.Predict(test.Inputs[..784], 1);
        Assert.Equal(test.Targets[..10].IndexOf(1f), Array.IndexOf(p, p.Max()));
    }

    [Fact]
    public void ValidationSplitHoldsOutTheLastSamplesAndIsEvaluatedEachEpoch()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(400, 10, 3, 0.5f, seed: 16);
        var options = new TrainingOptions(50, 2, new OptimizerSpec(0.1f), MicroShards: 2, ValidationSplit: 0.25);
        using var backend = new CpuBackend(1);
        using var trainer = new LocalTrainer(new ModelSpec([10], [new DenseSpec(3)], LossKind.SoftmaxCrossEntropy), options, backend);

        History history = trainer.Fit(data);

        Assert.Equal(12, trainer.Step); // 300 training samples: 6 steps per epoch.
        EvaluationResult validation = trainer.Evaluate(new DataSetRange(data, 300, 100));
        Assert.Equal(validation.Loss, history.Epochs[^1].ValidationLoss);
        Assert.Equal(validation.Accuracy, history.Epochs[^1].ValidationAccuracy);
        Assert.Equal([0L, 1L], history.Epochs.Select(e => e.Epoch));
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatienceAndRestoresTheBestWeights()
    {
        InMemoryDataSet data = SyntheticData.Prototypes(200, 10, 3, 0.5f, seed: 17);
        // No later epoch can improve by 1e9, so epoch 0 stays the best.
        var stopping = new EarlyStopping("loss", Patience: 2, MinDelta: 1e9, RestoreBestWeights: true);
        var options = new TrainingOptions(50, 10, new OptimizerSpec(0.1f), MicroShards: 2, EarlyStopping: stopping);
        using var backend = new CpuBackend(1);
        using var trainer = new LocalTrainer(new ModelSpec([10], [new DenseSpec(3)], LossKind.SoftmaxCrossEntropy), options, backend);
        var weightsAfterEpoch = new List<float[]>();

        History history = trainer.Fit(data, onEpoch: _ => weightsAfterEpoch.Add(trainer.Weights));

        Assert.True(history.StoppedEarly);
        Assert.Equal(3, history.Epochs.Count);
        Assert.Equal(0, history.BestEpoch);
        SyntheticData.AssertBitIdentical(weightsAfterEpoch[0], trainer.Weights, "restored weights");
        Assert.False(weightsAfterEpoch[0].AsSpan().SequenceEqual(weightsAfterEpoch[2]));
    }

    [Fact]
    public void EarlyStoppingOnValidationMetricsNeedsValidationData()
    {
        var options = new TrainingOptions(50, 1, new OptimizerSpec(0.1f), MicroShards: 2, EarlyStopping: new EarlyStopping("val_accuracy"));
        using var backend = new CpuBackend(1);
        using var trainer = new LocalTrainer(new ModelSpec([10], [new DenseSpec(3)], LossKind.SoftmaxCrossEntropy), options, backend);

        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(SyntheticData.Prototypes(100, 10, 3, 0.5f, seed: 1)));

        Assert.Contains("val_accuracy", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new TrainingOptions(50, 1, new OptimizerSpec(0.1f), EarlyStopping: new EarlyStopping("val_acc")).Validate());
    }

    [Fact]
    public void ANonFiniteGradientSkipsTheStepLeavingWeightsAndVelocityUnchanged()
    {
        InMemoryDataSet clean = SyntheticData.Prototypes(64, 10, 3, 0.5f, seed: 18);
        float[] inputs = clean.Inputs.ToArray();
        inputs[5] = float.NaN;
        var poisoned = new InMemoryDataSet(inputs, clean.Targets.ToArray(), [10], 3);
        var options = new TrainingOptions(64, 1, new OptimizerSpec(0.1f, 0.9f), Shuffle: false);
        using var backend = new CpuBackend(1);
        using var trainer = new LocalTrainer(new ModelSpec([10], [new DenseSpec(3)], LossKind.SoftmaxCrossEntropy), options, backend);
        trainer.TrainStep(clean);
        float[] weights = trainer.Weights;
        float[] velocity = trainer.Velocity;

        StepResult result = trainer.TrainStep(poisoned);

        Assert.True(result.Skipped);
        Assert.Equal(2, trainer.Step);
        SyntheticData.AssertBitIdentical(weights, trainer.Weights, "weights");
        SyntheticData.AssertBitIdentical(velocity, trainer.Velocity, "velocity");
    }
}
