using DistTrain.Kernels.Randomness;

namespace DistTrain.Kernels.Models;

/// <summary>
/// Initial weights of a model, a pure function of (spec, seed): tensor <c>i</c> of the layout
/// draws from its own SplitMix64 stream keyed by (seed, i), so changing one layer does not
/// move the others' values. Glorot-uniform and zero tensors are bit-identical on every platform.
/// A layer may supply its own values (<see cref="Layer.TryInitializeParameters"/>: a custom
/// layer's initialisers, run with the stream of its first tensor).
/// </summary>
public static class ParameterInitializer
{
    private const ulong InitStreams = 0x494E_4954_0000_0000; // "INIT": tensor i uses stream InitStreams + i

    /// <summary>The flat initial weights of <paramref name="spec"/> (see <see cref="ParameterLayout.For"/>).</summary>
    public static float[] Initialize(ModelSpec spec, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var layers = spec.CreateLayers();
        var weights = new float[layers.Sum(l => l.ParameterCount)];
        int offset = 0;
        ulong index = 0;
        foreach (Layer layer in layers)
        {
            if (layer.TryInitializeParameters(weights.AsSpan(offset, layer.ParameterCount), seed, InitStreams + index))
            {
                offset += layer.ParameterCount;
                index += (ulong)layer.Parameters.Count;
                continue;
            }

            foreach (LayerParameter p in layer.Parameters)
            {
                Fill(weights.AsSpan(offset, p.Length), p.Shape, p.Initializer, seed, InitStreams + index);
                offset += p.Length;
                index++;
            }
        }

        return weights;
    }

    /// <summary>Fills <paramref name="values"/>, a tensor of <paramref name="shape"/>, with <paramref name="kind"/> drawn from stream <paramref name="stream"/> of <paramref name="seed"/>.</summary>
    public static void Fill(Span<float> values, IReadOnlyList<int> shape, InitializerKind kind, ulong seed, ulong stream)
    {
        var rng = SplitMix64.ForStream(seed, stream);
        switch (kind)
        {
            case InitializerKind.Zeros:
                values.Clear();
                break;
            case InitializerKind.GlorotUniform:
                (int fanIn, int fanOut) = Fans(shape);
                double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)(((2 * rng.NextDouble()) - 1) * limit);
                }

                break;
            case InitializerKind.TruncatedNormal:
                const double stddev = 0.05;
                for (int i = 0; i < values.Length; i++)
                {
                    double z;
                    do
                    {
                        z = rng.NextGaussian();
                    }
                    while (Math.Abs(z) > 2);
                    values[i] = (float)(z * stddev);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), $"Unknown initializer {kind}.");
        }
    }

    /// <summary>
    /// Keras' fans: for a shape (…receptive, in, out), <c>fan_in = in·receptive</c> and
    /// <c>fan_out = out·receptive</c>; a vector of n has fan_in = fan_out = n.
    /// </summary>
    public static (int FanIn, int FanOut) Fans(IReadOnlyList<int> shape)
    {
        if (shape.Count == 0)
        {
            return (1, 1);
        }

        if (shape.Count == 1)
        {
            return (shape[0], shape[0]);
        }

        int receptive = 1;
        for (int i = 0; i < shape.Count - 2; i++)
        {
            receptive *= shape[i];
        }

        return (shape[^2] * receptive, shape[^1] * receptive);
    }
}
