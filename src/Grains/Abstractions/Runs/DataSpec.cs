namespace DistTrain.Grains;

/// <summary>
/// Names the data a run trains on. Every silo resolves it through its own data-set
/// provider, so samples never travel through Orleans.
/// </summary>
/// <param name="Name">Data-set name: <c>synthetic</c>, or a name the silo's provider knows (for example <c>mnist</c>).</param>
/// <param name="Path">Optional file or directory of the data (a path every silo can reach); null uses the provider's cache.</param>
/// <param name="Split">Which split to read, normally <c>train</c>.</param>
/// <param name="Synthetic">Shape of the generated data when <paramref name="Name"/> is <c>synthetic</c>.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.DataSpec")]
public sealed record DataSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Path = null,
    [property: Id(2)] string Split = "train",
    [property: Id(3)] SyntheticDataOptions? Synthetic = null)
{
    /// <summary>Synthetic classification data with the given shape.</summary>
    public static DataSpec SyntheticClassification(int samples, int features, int classes, ulong seed = 1, float noise = 1f) =>
        new("synthetic", Synthetic: new SyntheticDataOptions(samples, features, classes, seed, noise));
}
