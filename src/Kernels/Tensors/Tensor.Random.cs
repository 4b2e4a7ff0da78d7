using DistTrain.Kernels.Randomness;

namespace DistTrain.Kernels.Tensors;

public partial class Tensor
{
    /// <summary>
    /// Seeded random tensors (<c>tf.random.*</c>). With a seed, the result is a pure function of it
    /// (SplitMix64; not TF's Philox numbers); without one, a per-thread generator set by
    /// <see cref="SetSeed"/> (seed 0 until then) advances from call to call.
    /// </summary>
    public static class Random
    {
        [ThreadStatic]
        private static SplitMix64? s_global;

        /// <summary>Restarts the per-thread generator used when no seed is given (<c>tf.random.set_seed</c>).</summary>
        public static void SetSeed(ulong seed) => s_global = new SplitMix64(seed);

        /// <summary>Replaces the per-thread generator (null: seed 0 on next use) and returns the one it replaces, to be put back.</summary>
        internal static SplitMix64? ExchangeGenerator(SplitMix64? generator)
        {
            SplitMix64? old = s_global;
            s_global = generator;
            return old;
        }

        /// <summary>Samples of N(mean, stddev²).</summary>
        public static Tensor Normal(TensorShape shape, double mean = 0, double stddev = 1, DType dtype = DType.Float32, ulong? seed = null)
        {
            var g = Generator(seed);
            var d = new double[shape.Size];
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = mean + (stddev * g.NextGaussian());
            }

            return Finish(d, shape, dtype, g, seed);
        }

        /// <summary>Normal samples redrawn until within two standard deviations of the mean (<c>tf.random.truncated_normal</c>).</summary>
        public static Tensor TruncatedNormal(TensorShape shape, double mean = 0, double stddev = 1, DType dtype = DType.Float32, ulong? seed = null)
        {
            var g = Generator(seed);
            var d = new double[shape.Size];
            for (int i = 0; i < d.Length; i++)
            {
                double z;
                do
                {
                    z = g.NextGaussian();
                }
                while (Math.Abs(z) > 2);
                d[i] = mean + (stddev * z);
            }

            return Finish(d, shape, dtype, g, seed);
        }

        /// <summary>Uniform samples in [minval, maxval); for integer dtypes maxval is exclusive as well.</summary>
        public static Tensor Uniform(TensorShape shape, double minval = 0, double maxval = 1, DType dtype = DType.Float32, ulong? seed = null)
        {
            if (!(maxval > minval))
            {
                throw new ArgumentException($"Uniform needs minval < maxval, not [{minval}, {maxval}).");
            }

            var g = Generator(seed);
            var d = new double[shape.Size];
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = dtype is DType.Int32 or DType.Int64
                    ? Math.Floor(minval) + g.NextInt((int)(Math.Ceiling(maxval) - Math.Floor(minval)))
                    : minval + ((maxval - minval) * g.NextDouble());
            }

            return Finish(d, shape, dtype, g, seed);
        }

        /// <summary>A copy of <paramref name="x"/> with its first dimension randomly permuted (<c>tf.random.shuffle</c>).</summary>
        public static Tensor Shuffle(Tensor x, ulong? seed = null)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (x.Rank == 0)
            {
                return x;
            }

            var g = Generator(seed);
            var order = Enumerable.Range(0, x.Shape[0]).ToArray();
            g.Shuffle<int>(order);
            if (seed is null)
            {
                s_global = g;
            }

            return Gather(x, From(order));
        }

        private static SplitMix64 Generator(ulong? seed) => seed is { } s ? new SplitMix64(s) : s_global ?? new SplitMix64(0);

        private static Tensor Finish(double[] d, TensorShape shape, DType dtype, SplitMix64 g, ulong? seed)
        {
            if (seed is null)
            {
                s_global = g;
            }

            return CastNoTape(Wrap(d, shape), dtype);
        }
    }
}
