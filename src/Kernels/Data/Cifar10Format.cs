namespace DistTrain.Kernels.Data;

/// <summary>
/// CIFAR-10's binary batches (<c>data_batch_1.bin</c> … <c>data_batch_5.bin</c>,
/// <c>test_batch.bin</c>): records of 1 label byte followed by 3,072 pixel bytes in CHW
/// order (1,024 red, 1,024 green, 1,024 blue, each 32 × 32 row-major). Loaded as inputs of
/// shape <c>[32, 32, 3]</c> (HWC, what Conv2D's <c>[b, h, w, c]</c> expects) in [0, 1] and
/// one-hot targets over 10 classes.
/// </summary>
public static class Cifar10Format
{
    /// <summary>Image side in pixels.</summary>
    public const int Side = 32;

    /// <summary>Colour channels.</summary>
    public const int Channels = 3;

    /// <summary>Classes (airplane … truck).</summary>
    public const int ClassCount = 10;

    /// <summary>Bytes per record: one label, then 32·32·3 pixels.</summary>
    public const int RecordBytes = 1 + Side * Side * Channels;

    /// <summary>The largest batch file accepted by default (64 MiB; a real batch is 30,730,000 bytes).</summary>
    public const long DefaultMaxFileBytes = 64L << 20;

    /// <summary>The training batch file names, in order.</summary>
    public static IReadOnlyList<string> TrainFiles { get; } =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>The test batch file name.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>Loads and concatenates the batch files <paramref name="paths"/> (raw or gzip).</summary>
    public static InMemoryDataSet Load(IEnumerable<string> paths, long maxFileBytes = DefaultMaxFileBytes)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var batches = paths.Select(p => ReadRecords(p, maxFileBytes)).ToList();
        if (batches.Count == 0)
        {
            throw new ArgumentException("No CIFAR-10 batch files were given.", nameof(paths));
        }

        long count = batches.Sum(b => (long)(b.Length / RecordBytes));
        const int sampleSize = Side * Side * Channels;
        if (count * sampleSize > Array.MaxLength)
        {
            throw new ArgumentException($"{count} CIFAR-10 records do not fit one array.", nameof(paths));
        }

        var pixels = new byte[count * sampleSize];
        var labels = new byte[count];
        int sample = 0;
        foreach (byte[] records in batches)
        {
            for (int r = 0; r < records.Length / RecordBytes; r++, sample++)
            {
                ReadOnlySpan<byte> record = records.AsSpan(r * RecordBytes, RecordBytes);
                labels[sample] = record[0];
                ChwToHwc(record[1..], pixels.AsSpan(sample * sampleSize, sampleSize));
            }
        }

        return ImageClassificationData.Create(pixels, [Side, Side, Channels], labels, ClassCount);
    }

    /// <summary>
    /// Reads one batch file and validates it: a positive whole number of records, no more
    /// than <paramref name="maxFileBytes"/>, every label below 10. Returns the raw records.
    /// </summary>
    public static byte[] ReadRecords(string path, long maxFileBytes = DefaultMaxFileBytes)
    {
        byte[] records;
        using (var file = BinaryDataFile.Open(path))
        {
            // A raw file's length is checked before anything is allocated; a gzip one after
            // decompression, whose buffer is bounded by the bytes really present.
            if (file.RawLength is long length)
            {
                CheckLength(path, length);
            }

            records = file.ReadToEnd(maxFileBytes, "the CIFAR-10 batch");
        }

        CheckLength(path, records.Length);

        for (int r = 0; r < records.Length / RecordBytes; r++)
        {
            byte label = records[r * RecordBytes];
            if (label >= ClassCount)
            {
                throw new DataFormatException(path, (long)r * RecordBytes,
                    $"label {label} of record {r} is outside the {ClassCount} classes 0…{ClassCount - 1}");
            }
        }

        return records;
    }

    private static void CheckLength(string path, long length)
    {
        if (length == 0)
        {
            throw new DataFormatException(path, 0, "the CIFAR-10 batch is empty");
        }

        if (length % RecordBytes != 0)
        {
            long lastStart = length / RecordBytes * RecordBytes;
            throw new DataFormatException(path, lastStart,
                $"the file ends inside record {length / RecordBytes}: {length} bytes are not a whole number of {RecordBytes}-byte records");
        }
    }

    /// <summary>input[c·1024 + y·32 + x] → output[(y·32 + x)·3 + c].</summary>
    public static void ChwToHwc(ReadOnlySpan<byte> input, Span<byte> output)
    {
        const int plane = Side * Side;
        for (int p = 0; p < plane; p++)
        {
            output[p * Channels] = input[p];
            output[p * Channels + 1] = input[plane + p];
            output[p * Channels + 2] = input[2 * plane + p];
        }
    }
}
