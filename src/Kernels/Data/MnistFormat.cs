namespace DistTrain.Kernels.Data;

/// <summary>
/// Loads an MNIST-style pair of IDX files (images <c>[count, rows, cols]</c> and labels
/// <c>[count]</c>, raw or gzip) as a data set of <c>[rows, cols, 1]</c> inputs in [0, 1]
/// and one-hot targets. Used for MNIST and Fashion-MNIST.
/// </summary>
public static class MnistFormat
{
    /// <summary>Reads and validates both files, then builds the data set.</summary>
    /// <exception cref="DataFormatException">Either file is malformed, a label is not below
    /// <paramref name="classCount"/>, or the image and label counts differ.</exception>
    public static InMemoryDataSet Load(string imagesPath, string labelsPath, int classCount = 10, long maxDataBytes = IdxFile.DefaultMaxDataBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, 256);
        byte[] labels = ReadLabels(labelsPath, classCount, maxDataBytes);
        IdxArray images = IdxFile.Read(imagesPath, expectedRank: 3, maxDataBytes);
        if (images.Shape[0] != labels.Length)
        {
            throw new DataFormatException(labelsPath, 4,
                $"the file holds {labels.Length} labels but {imagesPath} holds {images.Shape[0]} images");
        }

        return ImageClassificationData.Create(images.Data, [images.Shape[1], images.Shape[2], 1], labels, classCount);
    }

    /// <summary>Reads a label file and checks every label is in 0 … <paramref name="classCount"/> − 1.</summary>
    public static byte[] ReadLabels(string labelsPath, int classCount, long maxDataBytes = IdxFile.DefaultMaxDataBytes)
    {
        IdxArray labels = IdxFile.Read(labelsPath, expectedRank: 1, maxDataBytes);
        for (int i = 0; i < labels.Data.Length; i++)
        {
            if (labels.Data[i] >= classCount)
            {
                throw new DataFormatException(labelsPath, labels.HeaderBytes + i,
                    $"label {labels.Data[i]} of sample {i} is outside the {classCount} classes 0…{classCount - 1}");
            }
        }

        return labels.Data;
    }
}
