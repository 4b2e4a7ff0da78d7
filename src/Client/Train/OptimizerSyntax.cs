using DistTrain.Grains;

namespace DistTrain.Client.Train;

/// <summary>The <c>--optimizer</c> names and each rule's Keras defaults.</summary>
internal static class OptimizerSyntax
{
    /// <summary>The accepted names, as Keras' identifiers.</summary>
    public static readonly IReadOnlyDictionary<string, OptimizerAlgorithm> Names = new Dictionary<string, OptimizerAlgorithm>(StringComparer.OrdinalIgnoreCase)
    {
        ["sgd"] = OptimizerAlgorithm.Sgd,
        ["adam"] = OptimizerAlgorithm.Adam,
        ["adamw"] = OptimizerAlgorithm.AdamW,
        ["rmsprop"] = OptimizerAlgorithm.RmsProp,
        ["adagrad"] = OptimizerAlgorithm.Adagrad,
    };

    /// <summary>The names for help texts.</summary>
    public static string Help => string.Join("|", Names.Keys);

    /// <summary>The algorithm of <paramref name="name"/>; a usage error names the known ones.</summary>
    public static OptimizerAlgorithm Parse(string name) =>
        Names.TryGetValue(name, out var algorithm)
            ? algorithm
            : throw new Cli.CliException($"--optimizer must be one of {Help}, got '{name}'.", Cli.ExitCodes.Usage);

    /// <summary>Keras' defaults of <paramref name="algorithm"/> (learning rate, AdamW's weight decay 0.004; the other settings are the record's defaults).</summary>
    public static OptimizerSettings Defaults(OptimizerAlgorithm algorithm) => algorithm switch
    {
        OptimizerAlgorithm.Sgd => new OptimizerSettings(0.01f),
        OptimizerAlgorithm.AdamW => new OptimizerSettings(0.001f, WeightDecay: 0.004f, Algorithm: algorithm),
        _ => new OptimizerSettings(0.001f, Algorithm: algorithm),
    };
}
