using System.Buffers.Binary;
using System.IO.Compression;

namespace DistTrain.Kernels.Tests.Data;

/// <summary>
/// Builds small files in the real formats, byte by byte and independently of the readers
/// under test (IDX: magic 00 00 08 rank, big-endian dims, data; CIFAR-10: label + CHW planes).
/// </summary>
public static class DataFiles
{
    public static byte[] Idx(int[] shape, byte[] data)
    {
        var bytes = new byte[4 + 4 * shape.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)shape.Length;
        for (int i = 0; i < shape.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), shape[i]);
        }

        data.CopyTo(bytes, 4 + 4 * shape.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return memory.ToArray();
    }

    /// <summary>Pixel value of image <paramref name="n"/> at (<paramref name="y"/>, <paramref name="x"/>, <paramref name="c"/>): distinct enough to catch layout mistakes.</summary>
    public static byte Pixel(int n, int y, int x, int c = 0) => (byte)((n * 31 + y * 7 + x * 3 + c * 101) % 256);

    /// <summary>An MNIST-style pair: <paramref name="count"/> images of rows × cols and labels i % classes.</summary>
    public static (byte[] Images, byte[] Labels) Mnist(int count, int rows, int cols, int classes = 10)
    {
        var pixels = new byte[count * rows * cols];
        var labels = new byte[count];
        for (int n = 0; n < count; n++)
        {
            labels[n] = (byte)(n % classes);
            for (int y = 0; y < rows; y++)
            {
                for (int x = 0; x < cols; x++)
                {
                    pixels[(n * rows + y) * cols + x] = Pixel(n, y, x);
                }
            }
        }

        return (Idx([count, rows, cols], pixels), Idx([count], labels));
    }

    /// <summary>A CIFAR-10 batch of <paramref name="labels"/>.Length records, pixels stored CHW as the format does.</summary>
    public static byte[] Cifar(byte[] labels)
    {
        const int side = 32, plane = side * side, record = 1 + 3 * plane;
        var bytes = new byte[labels.Length * record];
        for (int n = 0; n < labels.Length; n++)
        {
            int at = n * record;
            bytes[at] = labels[n];
            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < side; y++)
                {
                    for (int x = 0; x < side; x++)
                    {
                        bytes[at + 1 + c * plane + y * side + x] = Pixel(n, y, x, c);
                    }
                }
            }
        }

        return bytes;
    }

    /// <summary>Every row of a data set's inputs and targets, read through <c>IDataSet.Read</c>.</summary>
    public static (float[] Inputs, float[] Targets) ReadAll(DistTrain.Kernels.Data.IDataSet data)
    {
        var inputs = new float[data.Count * data.InputSize];
        var targets = new float[data.Count * data.TargetSize];
        data.Read(Enumerable.Range(0, data.Count).ToArray(), inputs, targets);
        return (inputs, targets);
    }
}
