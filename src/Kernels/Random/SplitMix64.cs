namespace DistTrain.Kernels.Randomness;

/// <summary>
/// A small seeded pseudo-random generator (SplitMix64, Steele, Lea and Flood 2014) whose
/// output is a pure function of the seed: the same bits on every machine, OS and .NET
/// version, unlike <see cref="System.Random"/>. Used for data shuffling, splits and weight
/// initialisation. A mutable struct: copy it to fork the stream, pass it by <c>ref</c> to share it.
/// </summary>
/// <remarks>
/// Lives in the namespace <c>DistTrain.Kernels.Randomness</c> (folder <c>Random/</c>) so that
/// it does not shadow <see cref="System.Random"/> inside <c>DistTrain.Kernels.*</c>.
/// </remarks>
public struct SplitMix64
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    /// <summary>Starts the stream at <paramref name="seed"/>.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>
    /// A generator for the independent sub-stream <paramref name="stream"/> of
    /// <paramref name="seed"/> (for example one per epoch): the pair is mixed through the
    /// finaliser twice so that neighbouring seeds and streams give unrelated sequences.
    /// </summary>
    public static SplitMix64 ForStream(ulong seed, ulong stream) =>
        new(Mix(Mix(seed) ^ (stream * Gamma + 0x632BE59BD9B4E019UL)));

    /// <summary>The next 64 random bits: state += γ; output = mix(state).</summary>
    public ulong NextUInt64()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), without modulo bias (Lemire 2019).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        return (int)NextBounded((uint)bound);
    }

    /// <summary>A uniform double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [0, 1) from the top 24 bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A standard normal sample (Box–Muller; one of the pair is discarded so the stream stays simple).</summary>
    public double NextGaussian()
    {
        // u1 in (0, 1] so that log(u1) is finite.
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates, from the last element down).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)NextBounded((uint)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0 … <paramref name="count"/> − 1.</summary>
    public int[] Permutation(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var result = new int[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = i;
        }

        Shuffle<int>(result);
        return result;
    }

    /// <summary>SplitMix64's finaliser (variant 13 of Stafford's mix).</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Lemire's nearly-divisionless bounded integer: multiply-high, reject the biased low range.</summary>
    private uint NextBounded(uint bound)
    {
        ulong m = (ulong)(uint)(NextUInt64() >> 32) * bound;
        uint low = (uint)m;
        if (low < bound)
        {
            uint threshold = (uint)-bound % bound;
            while (low < threshold)
            {
                m = (ulong)(uint)(NextUInt64() >> 32) * bound;
                low = (uint)m;
            }
        }

        return (uint)(m >> 32);
    }
}
