using DistTrain.Grains;

namespace DistTrain.Client.Train;

/// <summary>
/// A named model with the data set and hyper-parameters that train it well; flags and a
/// spec file override any of them. The model factory takes the number of input features of
/// the data (used where the model's width follows the data, as in linear regression).
/// </summary>
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
    /// <summary>Finds a preset by name; throws naming the known ones otherwise.</summary>
    public static TrainingPreset Find(string name) =>
        TrainingPresets.All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new Cli.CliException($"unknown preset '{name}'; known presets: {string.Join(", ", TrainingPresets.All.Select(p => p.Name))}.", Cli.ExitCodes.Usage);
}
