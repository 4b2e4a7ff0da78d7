using System.Buffers;
using System.Buffers.Binary;
using DistTrain.Kernels.Training;
using MessagePack;

namespace DistTrain.Kernels.Tests.Training;

/// <summary>
/// The checkpoint reader against damaged and hostile files: 1,000 truncations, bit flips and
/// lying length prefixes. Each must end in a <see cref="CheckpointException"/> (or, where an
/// attacker also fixed the digest, in a checkpoint that still fits the model), allocate no more
/// than a few times the file's size, and leave the previous checkpoint loadable.
/// </summary>
public sealed class CheckpointFuzzTests : IDisposable
{
    private const int Cases = 1000;

    private static readonly CheckpointTensor[] Layout =
    [
        new("dense_0/kernel", 0, 64 * 32, [64, 32]),
        new("dense_0/bias", 64 * 32, 32, [32]),
        new("dense_1/kernel", (64 * 32) + 32, 32 * 10, [32, 10]),
        new("dense_1/bias", (64 * 32) + 32 + 320, 10, [10]),
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-checkpoint-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Checkpoint Sample(long step)
    {
        int total = Layout.Sum(t => t.Length);
        var random = new Random((int)step);
        return new Checkpoint(
            "{\"inputShape\":[64],\"layers\":[{\"units\":32},{\"units\":10}]}",
            Layout,
            [.. Enumerable.Range(0, total).Select(_ => (float)random.NextDouble() - 0.5f)],
            [new OptimizerStateVector("velocity", [.. Enumerable.Range(0, total).Select(_ => (float)random.NextDouble() * 0.01f)])],
            step,
            Epoch: (int)step / 10,
            Seed: 7,
            OptimizerJson: "{\"LearningRate\":0.05,\"Momentum\":0.9}",
            SkippedSteps: 1);
    }

    [Fact]
    public void DamagedAndHostileCheckpointsEndInAClearErrorWithBoundedMemoryAndThePreviousStillLoads()
    {
        string path = CheckpointStore.PathIn(_directory);
        CheckpointStore.Save(path, Sample(step: 10));
        CheckpointStore.Save(path, Sample(step: 20));
        byte[] original = File.ReadAllBytes(path);
        byte[] body = original[..^CheckpointReader.DigestLength];
        IReadOnlyList<LengthHeader> headers = LengthHeader.Find(body);
        Assert.True(headers.Count >= 10, $"the walker found only {headers.Count} length prefixes");
        float[] previousWeights = Sample(step: 10).Weights;
        var random = new Random(20261207);
        var kinds = new Dictionary<string, int>();

        for (int i = 0; i < Cases; i++)
        {
            (string kind, byte[] damaged, bool bodyDamaged) = (i % 3) switch
            {
                0 => ("truncation", original[..random.Next(original.Length)], false),
                1 => BitFlip(original, random),
                _ => ("lying length prefix", headers[random.Next(headers.Count)].Lie(body, random), true),
            };
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;

            // As found on disk: the digest no longer matches (or is gone), so only an error will do.
            byte[] asFound = kind == "lying length prefix" ? [.. damaged, .. original[^CheckpointReader.DigestLength..]] : damaged;
            AssertRefusedWithinBounds(asFound, $"case {i} ({kind}, as found)");

            // As an attacker would craft it: the body's damage under a digest that matches.
            if (bodyDamaged)
            {
                byte[] crafted = CheckpointReader.AppendDigest(kind == "lying length prefix" ? damaged : damaged[..^CheckpointReader.DigestLength]);
                AssertErrorOrFitsWithinBounds(crafted, $"case {i} ({kind}, digest recomputed)");
            }

            // On disk, the run's restore falls back to the previous checkpoint.
            File.WriteAllBytes(path, asFound);
            var (previous, file) = CheckpointStore.LoadLatest(path, Layout);
            Assert.Equal(path + CheckpointStore.PreviousSuffix, file);
            Assert.Equal(10, previous.Step);
            Assert.Equal(previousWeights, previous.Weights);
        }

        Assert.Equal(Cases, kinds.Values.Sum());
        Assert.All(kinds.Values, count => Assert.True(count >= 300));
    }

    [Fact]
    public void AFileLargerThanTheModelsCheckpointCanBeIsRefusedUnread()
    {
        string path = CheckpointStore.PathIn(_directory);
        CheckpointStore.Save(path, Sample(step: 1));
        long limit = CheckpointReader.MaxBytesFor(Layout);
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.SetLength(limit + 1); // sparse: no disk used
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointException>(() => CheckpointStore.Load(path, Layout));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains($"more than the {limit:N0}", e.Message);
        Assert.True(allocated < 1 << 20, $"refusing an oversized file allocated {allocated:N0} bytes");
    }

    [Fact]
    public void AVersionOneFileWithoutADigestStillLoadsAndAVersionTwoFileWithoutOneDoesNot()
    {
        Checkpoint sample = Sample(step: 3);
        var file = new CheckpointFile
        {
            Magic = CheckpointFile.ExpectedMagic,
            Version = CheckpointFile.UndigestedVersion,
            ModelSpecJson = sample.ModelSpecJson,
            Layout = [.. Layout.Select(t => new CheckpointFileTensor { Name = t.Name, Offset = t.Offset, Length = t.Length, Shape = t.Shape })],
            Weights = [.. sample.Weights.SelectMany(BitConverter.GetBytes)],
            Velocity = [.. sample.OptimizerState[0].Values.SelectMany(BitConverter.GetBytes)],
            Step = 3,
            OptimizerJson = "{}",
        };

        Checkpoint legacy = CheckpointReader.Parse(MessagePackSerializer.Serialize(file), "v1");
        file.Version = CheckpointFile.CurrentVersion;
        var undigested = Assert.Throws<CheckpointException>(() => CheckpointReader.Parse(MessagePackSerializer.Serialize(file), "v2"));

        Assert.Equal(sample.Weights, legacy.Weights);
        Assert.Equal("velocity", Assert.Single(legacy.OptimizerState).Name);
        Assert.Equal(sample.OptimizerState[0].Values, legacy.OptimizerState[0].Values);
        Assert.Equal(3, legacy.Step);
        Assert.Contains("SHA-256 digest does not match", undigested.Message);
    }

    [Theory]
    [InlineData(new[] { -1, -1 }, 1)]
    [InlineData(new[] { 65536, 65536 }, 0)]
    [InlineData(new[] { int.MaxValue, 2 }, 2)]
    public void ALayoutWhoseShapeNoTensorHasIsRejected(int[] shape, int length)
    {
        var checkpoint = new Checkpoint("{}", [new CheckpointTensor("w", 0, length, shape)], new float[length], [new OptimizerStateVector("velocity", new float[length])], 0, 0, 0, "{}");

        var e = Assert.Throws<CheckpointException>(checkpoint.ValidateSizes);

        Assert.Contains("which no tensor has", e.Message);
    }

    private static (string Kind, byte[] Damaged, bool BodyDamaged) BitFlip(byte[] original, Random random)
    {
        byte[] damaged = (byte[])original.Clone();
        int bit = random.Next(damaged.Length * 8);
        damaged[bit / 8] ^= (byte)(1 << (bit % 8));
        return ("bit flip", damaged, bit / 8 < original.Length - CheckpointReader.DigestLength);
    }

    private static void AssertRefusedWithinBounds(byte[] bytes, string what)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Record.Exception(() => CheckpointReader.Parse(bytes, what));
        AssertBounded(GC.GetAllocatedBytesForCurrentThread() - before, bytes.Length, what);
        Assert.True(error is CheckpointException, $"{what}: expected a CheckpointException, got {error?.GetType().Name ?? "a checkpoint"}: {error?.Message}");
        Assert.False(string.IsNullOrWhiteSpace(error!.Message));
    }

    private static void AssertErrorOrFitsWithinBounds(byte[] bytes, string what)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Checkpoint? loaded = null;
        var error = Record.Exception(() => loaded = CheckpointReader.Parse(bytes, what));
        AssertBounded(GC.GetAllocatedBytesForCurrentThread() - before, bytes.Length, what);
        if (error is not null)
        {
            Assert.True(error is CheckpointException, $"{what}: expected a CheckpointException, got {error.GetType().Name}: {error.Message}");
            return;
        }

        // A flip inside a float or a name that happens to stay valid MessagePack: the result must
        // still be a checkpoint the model check can judge, never a half-read one.
        var judged = Record.Exception(() => loaded!.ValidateAgainst(Layout));
        Assert.True(judged is null or CheckpointException, $"{what}: the model check threw {judged?.GetType().Name}");
    }

    private static void AssertBounded(long allocated, int fileLength, string what) =>
        Assert.True(allocated <= (4L * fileLength) + (256 << 10), $"{what}: reading {fileLength:N0} bytes allocated {allocated:N0}");

    /// <summary>A MessagePack length prefix (array, string or binary header) inside a record.</summary>
    private sealed record LengthHeader(int Position, int Width, long Length)
    {
        public static IReadOnlyList<LengthHeader> Find(byte[] bytes)
        {
            var found = new List<LengthHeader>();
            var reader = new MessagePackReader(new ReadOnlySequence<byte>(bytes));
            Walk(ref reader, bytes, found);
            return found;
        }

        /// <summary>The body with this prefix replaced by a wrong length of the same width (0, one off, or huge).</summary>
        public byte[] Lie(byte[] body, Random random)
        {
            byte[] lying = (byte[])body.Clone();
            long max = Width switch { 0 => 15, 1 => byte.MaxValue, 2 => ushort.MaxValue, _ => uint.MaxValue };
            long[] choices = [0, Length - 1, Length + 1, Length * 2, max, max - 1, random.NextInt64(max + 1)];
            long lie = choices[random.Next(choices.Length)];
            if (lie == Length || lie < 0 || lie > max)
            {
                lie = Length == 0 ? 1 : 0;
            }

            Span<byte> field = lying.AsSpan(Position + 1, Width);
            switch (Width)
            {
                case 0 when lying[Position] is >= 0x90 and <= 0x9f:
                    lying[Position] = (byte)(0x90 | (int)(lie & 0x0f));
                    break;
                case 0:
                    lying[Position] = (byte)(0xa0 | (int)(lie & 0x1f)); // fixstr
                    break;
                case 1:
                    field[0] = (byte)lie;
                    break;
                case 2:
                    BinaryPrimitives.WriteUInt16BigEndian(field, (ushort)lie);
                    break;
                default:
                    BinaryPrimitives.WriteUInt32BigEndian(field, (uint)lie);
                    break;
            }

            return lying;
        }

        private static void Walk(ref MessagePackReader reader, byte[] bytes, List<LengthHeader> found)
        {
            int position = (int)reader.Consumed;
            byte code = bytes[position];
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Array:
                    int count = reader.ReadArrayHeader();
                    found.Add(new LengthHeader(position, WidthOf(code), count));
                    for (int i = 0; i < count; i++)
                    {
                        Walk(ref reader, bytes, found);
                    }

                    break;
                case MessagePackType.String:
                    long chars = reader.ReadStringSequence()?.Length ?? 0;
                    found.Add(new LengthHeader(position, WidthOf(code), chars));
                    break;
                case MessagePackType.Binary:
                    long length = reader.ReadBytes()?.Length ?? 0;
                    found.Add(new LengthHeader(position, WidthOf(code), length));
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        private static int WidthOf(byte code) => code switch
        {
            0xc4 or 0xd9 => 1,
            0xc5 or 0xda or 0xdc => 2,
            0xc6 or 0xdb or 0xdd => 4,
            _ => 0, // fixarray, fixstr
        };
    }
}
