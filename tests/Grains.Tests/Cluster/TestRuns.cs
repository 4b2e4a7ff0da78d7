using DistTrain.Grains.Data;
using DistTrain.Grains.Runs;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>Run specs of the cluster tests and their single-process references.</summary>
public static class TestRuns
{
    /// <summary>A small relu MLP (32-64-10, cross-entropy) that keeps the bit-identity tests fast.</summary>
    public static ModelSpec SmallMlp() => new([32], [new DenseSpec(64, ActivationKind.Relu), new DenseSpec(10)], LossKind.SoftmaxCrossEntropy);

    /// <summary>Synthetic 10-class data with <paramref name="features"/> inputs.</summary>
    public static DataSpec Data(int features, int samples = 1024, float noise = 1f) => DataSpec.SyntheticClassification(samples, features, 10, seed: 7, noise: noise);

    /// <summary>Momentum SGD with a little of everything, so every part of the update is exercised.</summary>
    public static OptimizerSettings Optimizer() => new(0.05f, Momentum: 0.9f, Nesterov: true, WeightDecay: 1e-4f, ClipNorm: 5f, new ScheduleSettings(ScheduleKind.Cosine, DecaySteps: 100, Factor: 0.1, WarmupSteps: 5));

    /// <summary>A spec of <paramref name="steps"/> steps of <paramref name="model"/> on <paramref name="data"/>.</summary>
    public static RunSpec Spec(ModelSpec model, DataSpec data, long steps, int workers, int batch = 64, int microShards = 8, int slices = 1, int checkpointInterval = 0, OptimizerSettings? optimizer = null) =>
        new(model.ToJson(), data, batch, microShards, Epochs: 100, Seed: 42, optimizer ?? Optimizer(), workers, slices, CheckpointInterval: checkpointInterval, MaxSteps: steps);

    /// <summary>The weights <see cref="LocalTrainer(RunSpec, ModelSpec?)"/> reaches after <paramref name="steps"/> steps of <paramref name="spec"/>.</summary>
    public static float[] LocalWeights(RunSpec spec, long steps, ModelSpec? model = null)
    {
        using var trainer = LocalTrainer(spec, model);
        var data = SyntheticDataSets.Classification(spec.Data.Synthetic!);
        for (long s = 0; s < steps; s++)
        {
            trainer.TrainStep(data);
        }

        return trainer.Weights;
    }

    /// <summary>The local loop for <paramref name="spec"/> on a CPU engine (dispose it); <paramref name="model"/> is the spec's model read elsewhere (custom layers from a plugin folder).</summary>
    public static LocalTrainer LocalTrainer(RunSpec spec, ModelSpec? model = null) =>
        new(model ?? ModelSpec.FromJson(spec.ModelSpecJson), new TrainingOptions(spec.BatchSize, spec.Epochs, spec.Optimizer.ToSpec(), spec.MicroShards, spec.Seed), new CpuBackend(1));

    /// <summary>Polls until the run leaves <see cref="RunState.Running"/> (or the timeout passes).</summary>
    public static async Task<RunStatus> WaitUntilSettled(ITrainingRunGrain run, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            RunStatus status = await run.GetStatus();
            if (status.State is not RunState.Running || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Runs <paramref name="spec"/> to completion under a fresh run id and returns the final weights.</summary>
    public static async Task<(RunStatus Status, float[] Weights)> RunToCompletion(IGrainFactory grains, RunSpec spec, string prefix)
    {
        var run = grains.GetGrain<ITrainingRunGrain>($"{prefix}-{Guid.NewGuid():N}");
        await run.Start(spec);
        RunStatus status = await WaitUntilSettled(run);
        Assert.True(status.State == RunState.Completed, $"Run ended {status.State}: {status.Error}");
        float[]? weights = await run.GetWeights();
        Assert.NotNull(weights);
        return (status, weights);
    }

    /// <summary>Asserts that two weight vectors have the same bits, naming the first difference.</summary>
    public static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: weight {i} is {actual[i]:R}, expected {expected[i]:R}.");
            }
        }
    }
}
