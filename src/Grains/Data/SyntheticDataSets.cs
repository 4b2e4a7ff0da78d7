using DistTrain.Kernels.Data;
using DistTrain.Kernels.Randomness;

namespace DistTrain.Grains.Data;

/// <summary>
/// Generated classification data: class <c>c</c> has a centroid <c>μ_c</c> uniform in
/// <c>[-1, 1]^F</c>; sample <c>i</c> gets a uniform label <c>y_i</c> and the input
/// <c>μ_{y_i} + σ·N(0, I)</c>, with a one-hot target. Seeded streams make it a pure function
/// of the options, so every silo builds the same bits.
/// </summary>
public static class SyntheticDataSets
{
    /// <summary>Builds the data set described by <paramref name="options"/>.</summary>
    public static InMemoryDataSet Classification(SyntheticDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Samples <= 0 || options.Features <= 0 || options.Classes < 2)
        {
            throw new ArgumentException($"Synthetic data needs Samples > 0, Features > 0 and Classes ≥ 2, got {options.Samples}, {options.Features}, {options.Classes}.", nameof(options));
        }

        if (!float.IsFinite(options.Noise) || options.Noise < 0)
        {
            throw new ArgumentException($"Synthetic data noise must be finite and ≥ 0, got {options.Noise}.", nameof(options));
        }

        int f = options.Features;
        var centroids = new float[options.Classes * f];
        var rng = SplitMix64.ForStream(options.Seed, 0);
        for (int i = 0; i < centroids.Length; i++)
        {
            centroids[i] = 2f * rng.NextSingle() - 1f;
        }

        var inputs = new float[(long)options.Samples * f];
        var targets = new float[options.Samples * options.Classes];
        var labels = SplitMix64.ForStream(options.Seed, 1);
        var noise = SplitMix64.ForStream(options.Seed, 2);
        for (int s = 0; s < options.Samples; s++)
        {
            int label = labels.NextInt(options.Classes);
            targets[(s * options.Classes) + label] = 1f;
            for (int j = 0; j < f; j++)
            {
                inputs[((long)s * f) + j] = centroids[(label * f) + j] + (options.Noise * (float)noise.NextGaussian());
            }
        }

        return new InMemoryDataSet(inputs, targets, [f], options.Classes);
    }
}
