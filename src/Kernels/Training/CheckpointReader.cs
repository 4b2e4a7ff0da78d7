using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MessagePack;

namespace DistTrain.Kernels.Training;

/// <summary>
/// Turns checkpoint file bytes into a <see cref="Checkpoint"/>, treating them as untrusted
/// input: a size limit is checked before anything is read, MessagePack runs with
/// <see cref="MessagePackSecurity.UntrustedData"/> (bounded depth, hash-flooding-safe), every
/// length prefix is checked against the bytes actually present, the SHA-256 digest that
/// format version 2 appends must match, and every size is validated. Anything else ends in a
/// <see cref="CheckpointException"/> that says what is wrong.
/// </summary>
public static class CheckpointReader
{
    /// <summary>Bytes of the SHA-256 digest that follows the MessagePack body in format version 2.</summary>
    public const int DigestLength = SHA256.HashSizeInBytes;

    /// <summary>Room for everything but the two vectors: model and optimiser JSON, layout names and shapes, headers.</summary>
    public const long MetadataAllowance = 16L << 20;

    /// <summary>Largest file read when the model is not known (weights and three state vectors of the largest float arrays .NET holds).</summary>
    public const long DefaultMaxBytes = 4L * int.MaxValue + MetadataAllowance;

    private static readonly MessagePackSerializerOptions ReadOptions =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>
    /// Most optimiser state vectors a rule keeps per weight (AdamW with AMSGrad: m, v, v̂;
    /// centred RMSprop with momentum: s, p, ḡ).
    /// </summary>
    public const int MaxStateVectors = 3;

    /// <summary>
    /// The largest checkpoint file a model of <paramref name="layout"/> writes: its weights and
    /// up to <see cref="MaxStateVectors"/> optimiser state vectors (4 bytes a float each), plus
    /// <see cref="MetadataAllowance"/>.
    /// </summary>
    public static long MaxBytesFor(IReadOnlyList<CheckpointTensor> layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        long floats = layout.Sum(t => (long)Math.Max(t.Length, 0));
        return ((1 + MaxStateVectors) * sizeof(float) * floats) + MetadataAllowance + (layout.Count * 1024L);
    }

    /// <summary>Reads the file at <paramref name="path"/>, refusing it unread when it is larger than <paramref name="maxBytes"/>.</summary>
    public static Checkpoint ReadFile(string path, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            long length = stream.Length;
            if (length > maxBytes)
            {
                throw new CheckpointException($"Checkpoint '{path}' is {length:N0} bytes, more than the {maxBytes:N0} a checkpoint of this model can take.");
            }

            bytes = new byte[length];
            stream.ReadExactly(bytes);
        }
        catch (FileNotFoundException e)
        {
            throw new CheckpointException($"Checkpoint file '{path}' does not exist.", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new CheckpointException($"Checkpoint file '{path}' does not exist.", e);
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointException($"Checkpoint '{path}' shrank while it was read.", e);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses and checks checkpoint <paramref name="bytes"/>; <paramref name="source"/> names them in messages.</summary>
    public static Checkpoint Parse(ReadOnlyMemory<byte> bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        bool digested = HasValidDigest(bytes.Span);
        ReadOnlyMemory<byte> body = digested ? bytes[..^DigestLength] : bytes;
        CheckpointFile file;
        try
        {
            file = MessagePackSerializer.Deserialize<CheckpointFile>(body, ReadOptions, out int read);
            if (digested && read != body.Length)
            {
                throw new CheckpointException($"Checkpoint '{source}' has {body.Length - read} stray bytes after its record.");
            }
        }
        catch (MessagePackSerializationException e)
        {
            throw new CheckpointException($"Checkpoint file '{source}' is not a DistTrain checkpoint, or is truncated or corrupt: {Innermost(e).Message}", e);
        }

        if (file is null || file.Magic != CheckpointFile.ExpectedMagic)
        {
            throw new CheckpointException($"File '{source}' is not a DistTrain checkpoint (magic '{Printable(file?.Magic)}').");
        }

        switch (file.Version)
        {
            case CheckpointFile.CurrentVersion when !digested:
                throw new CheckpointException($"Checkpoint '{source}' is corrupt or truncated: its SHA-256 digest does not match its contents.");
            case CheckpointFile.CurrentVersion:
            case CheckpointFile.UndigestedVersion when !digested:
                break;
            default:
                throw new CheckpointException($"Checkpoint '{source}' has format version {file.Version}; this build reads versions {CheckpointFile.UndigestedVersion} and {CheckpointFile.CurrentVersion}.");
        }

        // Version 1 kept SGD's velocity only; version 2 keeps the rule's named state vectors.
        CheckpointFileVector[]? state = file.Version == CheckpointFile.UndigestedVersion
            ? file.Velocity is null ? null : [new CheckpointFileVector { Name = "velocity", Values = file.Velocity }]
            : file.OptimizerState;
        if (file.ModelSpecJson is null || file.Layout is null || file.Weights is null || state is null || file.OptimizerJson is null)
        {
            throw new CheckpointException($"Checkpoint '{source}' is missing its model, layout, weights, optimiser state or optimiser.");
        }

        if (state.Length > MaxStateVectors || state.Any(v => v?.Name is null || v.Values is null))
        {
            throw new CheckpointException($"Checkpoint '{source}' has {state.Length} optimiser state vectors, at most {MaxStateVectors} each with a name and values expected.");
        }

        if (file.Weights.Length % sizeof(float) != 0 || state.Any(v => v.Values!.Length % sizeof(float) != 0))
        {
            throw new CheckpointException($"Checkpoint '{source}' holds a vector that is not a whole number of floats.");
        }

        var layout = new CheckpointTensor[file.Layout.Length];
        for (int i = 0; i < layout.Length; i++)
        {
            CheckpointFileTensor t = file.Layout[i] ?? throw new CheckpointException($"Checkpoint '{source}' has an empty layout entry {i}.");
            layout[i] = new CheckpointTensor(t.Name ?? throw new CheckpointException($"Checkpoint '{source}' has a layout entry without a name."), t.Offset, t.Length, t.Shape ?? []);
        }

        var checkpoint = new Checkpoint(
            file.ModelSpecJson,
            layout,
            FromBytes(file.Weights),
            [.. state.Select(v => new OptimizerStateVector(v.Name!, FromBytes(v.Values!)))],
            file.Step,
            file.Epoch,
            file.Seed,
            file.OptimizerJson,
            file.SkippedSteps);
        checkpoint.ValidateSizes();
        return checkpoint;
    }

    /// <summary>The bytes of a version-2 file: the MessagePack <paramref name="body"/> and its SHA-256 digest.</summary>
    public static byte[] AppendDigest(ReadOnlySpan<byte> body)
    {
        var bytes = new byte[body.Length + DigestLength];
        body.CopyTo(bytes);
        SHA256.HashData(body, bytes.AsSpan(body.Length));
        return bytes;
    }

    private static bool HasValidDigest(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= DigestLength)
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[DigestLength];
        SHA256.HashData(bytes[..^DigestLength], digest);
        return digest.SequenceEqual(bytes[^DigestLength..]);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private static string? Printable(string? text) =>
        text is null ? null : text.Length > 40 ? string.Concat(text.AsSpan(0, 40), "…") : text;

    private static float[] FromBytes(byte[] bytes)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoints store little-endian floats; this platform is big-endian.");
        }

        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
