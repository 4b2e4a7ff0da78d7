using DistTrain.Grains;

namespace DistTrain.Runs;

/// <summary>
/// A named model with the data set and hyper-parameters that train it well; flags and a
/// spec file override any of them. The model factory takes the number of input features of
/// the data (used where the model's width follows the data, as in linear regression).
/// </summary>
/// <param name="Name">The name <c>--preset</c> takes.</param>
/// <param name="Description">One line for <c>--help</c>.</param>
/// <param name="ModelSpecJson">The model as JSON, for data with the given number of input features.</param>
/// <param name="Data">The data set it trains on.</param>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="BatchSize">Global batch size.</param>
/// <param name="MicroShards">Micro-shards per global batch.</param>
/// <param name="Optimizer">Optimiser settings.</param>
/// <param name="ValidationSplit">Fraction of the training data held out for validation.</param>
public sealed record TrainingPreset(
    string Name,
    string Description,
    Func<int, string> ModelSpecJson,
    DataSetReference Data,
    int Epochs,
    int BatchSize,
    int MicroShards,
    OptimizerSettings Optimizer,
    double ValidationSplit)
{
    /// <summary>Finds a preset by name; throws an <see cref="ArgumentException"/> naming the known ones otherwise.</summary>
    public static TrainingPreset Find(string name) =>
        TrainingPresets.All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown preset '{name}'; known presets: {string.Join(", ", TrainingPresets.All.Select(p => p.Name))}.");
}
