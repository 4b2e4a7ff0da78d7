using System.Buffers.Binary;
using System.IO.Compression;

namespace DistTrain.Kernels.Data;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST, raw or gzip: a 4-byte magic
/// <c>00 00 type rank</c>, then <c>rank</c> big-endian uint32 dimensions, then the data in
/// row-major order. Only unsigned bytes (type 0x08) are supported, which is what every
/// MNIST-style file uses. Headers are validated before any data is allocated.
/// </summary>
public static class IdxFile
{
    /// <summary>The largest data section accepted by default (256 MiB; MNIST's training images are 45 MiB).</summary>
    public const long DefaultMaxDataBytes = 256L << 20;

    /// <summary>The type code for unsigned bytes.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>
    /// Reads an IDX file of unsigned bytes with <paramref name="expectedRank"/> dimensions.
    /// Throws <see cref="DataFormatException"/> (naming the file and byte offset) for a bad
    /// magic, type, rank, dimension, a length that does not match the header, or a data
    /// section over <paramref name="maxDataBytes"/>.
    /// </summary>
    public static IdxArray Read(string path, int expectedRank, long maxDataBytes = DefaultMaxDataBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(expectedRank);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDataBytes, (long)Array.MaxLength);
        using var file = BinaryDataFile.Open(path);
        Span<byte> magic = stackalloc byte[4];
        file.ReadExactly(magic, "the 4-byte IDX magic number");
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new DataFormatException(path, magic[0] != 0 ? 0 : 1,
                $"not an IDX file: the magic number must start with two zero bytes, found {magic[0]:X2} {magic[1]:X2}");
        }

        if (magic[2] != UnsignedByteType)
        {
            throw new DataFormatException(path, 2, $"IDX data type 0x{magic[2]:X2} ({TypeName(magic[2])}) is not supported; MNIST-style files hold unsigned bytes (0x08)");
        }

        if (magic[3] != expectedRank)
        {
            throw new DataFormatException(path, 3, $"expected {expectedRank} dimension(s), the header declares {magic[3]}");
        }

        var shape = new int[expectedRank];
        Span<byte> word = stackalloc byte[4];
        long total = 1;
        for (int i = 0; i < expectedRank; i++)
        {
            long offset = 4 + 4 * i;
            file.ReadExactly(word, $"dimension {i} of the IDX header");
            uint dim = BinaryPrimitives.ReadUInt32BigEndian(word);
            // The first dimension (the sample count) may be zero; the others describe one sample.
            if (dim > int.MaxValue || (dim == 0 && i > 0))
            {
                throw new DataFormatException(path, offset, $"dimension {i} is {dim}, which is not a valid size");
            }

            shape[i] = (int)dim;
            total *= dim == 0 ? 1 : dim;
            if (total > maxDataBytes)
            {
                throw new DataFormatException(path, offset,
                    $"the header's dimensions [{string.Join(", ", shape[..(i + 1)])}…] describe more than the limit of {maxDataBytes} data bytes");
            }
        }

        if (shape[0] == 0)
        {
            total = 0;
        }

        byte[] data = file.ReadPayload((int)total, $"the IDX data ({string.Join(" × ", shape)} bytes)");
        return new IdxArray(shape, data, HeaderBytes(expectedRank));
    }

    /// <summary>Writes <paramref name="data"/> with <paramref name="shape"/> as an unsigned-byte IDX file, gzip-compressed when <paramref name="gzip"/>.</summary>
    public static void Write(string path, IReadOnlyList<int> shape, ReadOnlySpan<byte> data, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count is 0 or > 255 || shape.Any(d => d < 0))
        {
            throw new ArgumentException("An IDX shape needs 1 to 255 non-negative dimensions.", nameof(shape));
        }

        long total = shape.Aggregate(1L, (a, d) => a * d);
        if (total != data.Length)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {total} bytes but {data.Length} were given.", nameof(data));
        }

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using Stream output = gzip ? new GZipStream(file, CompressionLevel.Optimal) : file;
        Span<byte> header = stackalloc byte[4];
        header[0] = 0;
        header[1] = 0;
        header[2] = UnsignedByteType;
        header[3] = (byte)shape.Count;
        output.Write(header);
        foreach (int d in shape)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header, (uint)d);
            output.Write(header);
        }

        output.Write(data);
    }

    /// <summary>Size of the header of an IDX file with <paramref name="rank"/> dimensions.</summary>
    public static int HeaderBytes(int rank) => 4 + 4 * rank;

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown type",
    };
}
