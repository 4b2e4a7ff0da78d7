namespace DistTrain.Kernels.Data;

/// <summary>
/// Turns decoded images and labels into an <see cref="InMemoryDataSet"/>: pixels scaled
/// from bytes to [0, 1] (x / 255), labels one-hot encoded.
/// </summary>
public static class ImageClassificationData
{
    private static readonly float[] UnitScale = BuildScale();

    /// <summary>
    /// Builds a data set of <c>labels.Length</c> samples of shape <paramref name="sampleShape"/>
    /// from <paramref name="pixels"/> (row-major, one sample after another).
    /// </summary>
    public static InMemoryDataSet Create(ReadOnlySpan<byte> pixels, IReadOnlyList<int> sampleShape, ReadOnlySpan<byte> labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        long sampleSize = sampleShape.Aggregate(1L, (a, d) => a * d);
        if (pixels.Length != sampleSize * labels.Length)
        {
            throw new ArgumentException($"{pixels.Length} pixels are not {labels.Length} samples of {sampleSize}.", nameof(pixels));
        }

        var inputs = new float[pixels.Length];
        ScaleToUnit(pixels, inputs);
        var targets = new float[(long)labels.Length * classCount];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
            {
                throw new ArgumentException($"Label {labels[i]} of sample {i} is outside 0…{classCount - 1}.", nameof(labels));
            }

            targets[(long)i * classCount + labels[i]] = 1f;
        }

        return new InMemoryDataSet(inputs, targets, sampleShape, classCount);
    }

    /// <summary>output[i] = input[i] / 255, exactly rounded (a table of the 256 quotients).</summary>
    public static void ScaleToUnit(ReadOnlySpan<byte> input, Span<float> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("The output is shorter than the input.", nameof(output));
        }

        for (int i = 0; i < input.Length; i++)
        {
            output[i] = UnitScale[input[i]];
        }
    }

    private static float[] BuildScale()
    {
        var table = new float[256];
        for (int b = 0; b < 256; b++)
        {
            table[b] = b / 255f;
        }

        return table;
    }
}
