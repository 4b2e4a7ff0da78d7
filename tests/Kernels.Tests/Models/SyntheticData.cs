using DistTrain.Kernels.Data;

namespace DistTrain.Kernels.Tests.Models;

/// <summary>Seeded synthetic data sets and comparisons shared by the model and training tests.</summary>
internal static class SyntheticData
{
    /// <summary>
    /// A learnable classification problem: each class has a random prototype in [0, 1)^features;
    /// a sample is its class prototype plus uniform noise of ±<paramref name="noise"/>.
    /// </summary>
    public static InMemoryDataSet Prototypes(int count, int features, int classes, float noise, int seed, int prototypeSeed = 1234)
    {
        var prototypeRandom = new System.Random(prototypeSeed);
        var prototypes = new float[classes * features];
        for (int i = 0; i < prototypes.Length; i++)
        {
            prototypes[i] = (float)prototypeRandom.NextDouble();
        }

        var random = new System.Random(seed);
        var inputs = new float[count * features];
        var targets = new float[count * classes];
        for (int s = 0; s < count; s++)
        {
            int c = random.Next(classes);
            targets[(s * classes) + c] = 1f;
            for (int f = 0; f < features; f++)
            {
                inputs[(s * features) + f] = prototypes[(c * features) + f] + (float)(((random.NextDouble() * 2) - 1) * noise);
            }
        }

        return new InMemoryDataSet(inputs, targets, [features], classes);
    }

    /// <summary>Rows of uniform inputs in [-1, 1) with the given targets function.</summary>
    public static InMemoryDataSet Regression(int count, int features, int outputs, Func<float[], int, float> target, int seed)
    {
        var random = new System.Random(seed);
        var inputs = RandomFloats(random, count * features);
        var targets = new float[count * outputs];
        for (int s = 0; s < count; s++)
        {
            float[] row = inputs.AsSpan(s * features, features).ToArray();
            for (int o = 0; o < outputs; o++)
            {
                targets[(s * outputs) + o] = target(row, o);
            }
        }

        return new InMemoryDataSet(inputs, targets, [features], outputs);
    }

    /// <summary>Uniform floats in [-scale, scale).</summary>
    public static float[] RandomFloats(System.Random random, int length, float scale = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * scale);
        }

        return values;
    }

    /// <summary>Asserts two arrays hold the same bits, naming the first difference.</summary>
    public static void AssertBitIdentical(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} differs: {expected[i]:R} vs {actual[i]:R}.");
            }
        }
    }
}
