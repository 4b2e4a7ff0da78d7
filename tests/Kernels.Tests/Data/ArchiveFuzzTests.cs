using DistTrain.Kernels.Data;
using DistTrain.Kernels.Randomness;
using Xunit.Sdk;

namespace DistTrain.Kernels.Tests.Data;

/// <summary>Seeded fuzzing of the npm tarball reader (gzip + tar + JSON): only <see cref="DataFormatException"/> may come out.</summary>
public sealed class ArchiveFuzzTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TruncatedOrBitFlippedPackagesFailCleanly()
    {
        string original = _dir.File("p.tgz");
        FakeNpmPackage.Write(original, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        byte[] bytes = File.ReadAllBytes(original);
        var rng = new SplitMix64(0x7A6);

        for (int length = 0; length < bytes.Length; length += 1 + length / 16)
        {
            Attempt(bytes[..length], $"truncated to {length} of {bytes.Length}");
        }

        for (int trial = 0; trial < 200; trial++)
        {
            byte[] mutated = (byte[])bytes.Clone();
            int bit = rng.NextInt(mutated.Length * 8);
            mutated[bit / 8] ^= (byte)(1 << (bit % 8));
            Attempt(mutated, $"bit {bit} flipped");
        }
    }

    private void Attempt(byte[] bytes, string description)
    {
        string path = _dir.File("fuzz.tgz");
        File.WriteAllBytes(path, bytes);
        try
        {
            NpmMnist.ReadDigits(path);
        }
        catch (DataFormatException)
        {
        }
        catch (Exception e)
        {
            throw new XunitException($"{description}: unexpected {e.GetType().Name}: {e}");
        }
    }
}
