using System.Buffers.Binary;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Randomness;
using Xunit.Sdk;

namespace DistTrain.Kernels.Tests.Data;

/// <summary>
/// Seeded fuzzing of the binary readers: truncations at every offset, random bit flips and
/// huge header dimensions must end in success or a <see cref="DataFormatException"/>, never
/// another exception, and never allocate more than a small multiple of the input.
/// </summary>
public sealed class DataFuzzTests : IDisposable
{
    // FileStream and GZipStream buffers (64 KiB each at most) plus the data itself.
    private const long AllocationSlack = 512 * 1024;
    private const int FlipTrials = 400;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, bool> Formats => new()
    {
        { "idx-images", false }, { "idx-images", true },
        { "idx-labels", false }, { "idx-labels", true },
        { "cifar", false }, { "cifar", true },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void EveryTruncationFailsCleanly(string format, bool gzip)
    {
        byte[] file = Build(format, gzip);
        foreach (int length in TruncationLengths(format, file.Length))
        {
            bool succeeded = Attempt(format, file[..length], $"{format} truncated to {length} bytes");
            // A raw file cut anywhere is wrong, except a CIFAR batch cut between records; a gzip
            // file may lose only its trailer and still decode.
            bool wholeRecords = format == "cifar" && length > 0 && length % Cifar10Format.RecordBytes == 0;
            Assert.True(!succeeded || gzip || wholeRecords, $"{format} truncated to {length} of {file.Length} bytes was accepted");
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void RandomBitFlipsFailCleanly(string format, bool gzip)
    {
        byte[] original = Build(format, gzip);
        var rng = new SplitMix64(0xF1175 + (ulong)format.Length + (gzip ? 1UL : 0UL));
        for (int trial = 0; trial < FlipTrials; trial++)
        {
            byte[] mutated = (byte[])original.Clone();
            int flips = 1 + rng.NextInt(3);
            for (int f = 0; f < flips; f++)
            {
                int bit = rng.NextInt(mutated.Length * 8);
                mutated[bit / 8] ^= (byte)(1 << (bit % 8));
            }

            Attempt(format, mutated, $"{format} (gzip {gzip}) trial {trial}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HugeHeaderDimensionsFailWithoutLargeAllocations(bool gzip)
    {
        uint[] huge = [0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 1 << 24, 60000, 65536];
        var rng = new SplitMix64(99);
        foreach (uint value in huge)
        {
            for (int dim = 0; dim < 3; dim++)
            {
                byte[] raw = DataFiles.Mnist(3, 4, 4).Images;
                BinaryPrimitives.WriteUInt32BigEndian(raw.AsSpan(4 + 4 * dim), value);
                bool ok = Attempt("idx-images", gzip ? DataFiles.Gzip(raw) : raw, $"dimension {dim} = {value}");
                Assert.False(ok);
            }

            // All three dimensions random at once.
            byte[] random = DataFiles.Mnist(3, 4, 4).Images;
            for (int dim = 0; dim < 3; dim++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(random.AsSpan(4 + 4 * dim), (uint)rng.NextUInt64());
            }

            Assert.False(Attempt("idx-images", gzip ? DataFiles.Gzip(random) : random, "random dimensions"));
        }
    }

    /// <summary>Every length for the small IDX files; for CIFAR (3 KiB records) every length near the start, the record boundaries and the end, and every 29th between.</summary>
    private static IEnumerable<int> TruncationLengths(string format, int fileLength) =>
        format != "cifar"
            ? Enumerable.Range(0, fileLength)
            : Enumerable.Range(0, fileLength).Where(n =>
                n < 64 || fileLength - n < 64 || Math.Abs(n % Cifar10Format.RecordBytes - 1) <= 2 || n % 29 == 0);

    private static byte[] Build(string format, bool gzip)
    {
        byte[] raw = format switch
        {
            "idx-images" => DataFiles.Mnist(3, 4, 4).Images,
            "idx-labels" => DataFiles.Idx([6], [0, 1, 2, 3, 4, 5]),
            _ => DataFiles.Cifar([1, 7]),
        };
        return gzip ? DataFiles.Gzip(raw) : raw;
    }

    /// <summary>Reads <paramref name="bytes"/> as <paramref name="format"/>; true on success, false on <see cref="DataFormatException"/>.</summary>
    private bool Attempt(string format, byte[] bytes, string description)
    {
        string path = _dir.File("fuzz.bin");
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool succeeded;
        try
        {
            switch (format)
            {
                case "idx-images":
                    IdxFile.Read(path, expectedRank: 3);
                    break;
                case "idx-labels":
                    MnistFormat.ReadLabels(path, classCount: 10);
                    break;
                default:
                    Cifar10Format.ReadRecords(path);
                    break;
            }

            succeeded = true;
        }
        catch (DataFormatException e)
        {
            Assert.StartsWith(path, e.Message);
            succeeded = false;
        }
        catch (Exception e)
        {
            throw new XunitException($"{description}: unexpected {e.GetType().Name}: {e}");
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocationSlack + 16L * bytes.Length, $"{description}: allocated {allocated} bytes for a {bytes.Length}-byte file");
        return succeeded;
    }
}
