namespace DistTrain.Grains;

/// <summary>
/// A generated classification problem for tests and demos: each class has a random
/// centroid in <c>[-1, 1]^Features</c>; a sample is its class centroid plus Gaussian noise
/// of standard deviation <see cref="Noise"/>. The same options give the same bits on every silo.
/// </summary>
/// <param name="Samples">Number of samples.</param>
/// <param name="Features">Floats per input row.</param>
/// <param name="Classes">Number of classes (one-hot targets).</param>
/// <param name="Seed">Seed of the centroids, labels and noise.</param>
/// <param name="Noise">Standard deviation of the noise around each centroid.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.SyntheticDataOptions")]
public sealed record SyntheticDataOptions(
    [property: Id(0)] int Samples,
    [property: Id(1)] int Features,
    [property: Id(2)] int Classes,
    [property: Id(3)] ulong Seed = 1,
    [property: Id(4)] float Noise = 1f);
