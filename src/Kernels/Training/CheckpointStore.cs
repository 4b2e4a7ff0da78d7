using System.Runtime.InteropServices;
using MessagePack;

namespace DistTrain.Kernels.Training;

/// <summary>
/// Writes and reads <see cref="Checkpoint"/>s as MessagePack files. A save writes a
/// temporary file, flushes it to disk, keeps the previous checkpoint as <c>.prev</c> and
/// renames the new one into place, so a crash leaves either the old or the new file whole.
/// A load checks the magic, the format version and the sizes, and rejects anything else
/// with a <see cref="CheckpointException"/>.
/// </summary>
public static class CheckpointStore
{
    /// <summary>File name of the latest checkpoint inside a run's checkpoint directory.</summary>
    public const string FileName = "checkpoint.msgpack";

    /// <summary>Suffix of the previous checkpoint kept beside the latest.</summary>
    public const string PreviousSuffix = ".prev";

    private static readonly MessagePackSerializerOptions ReadOptions =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>The latest checkpoint's path in <paramref name="directory"/>.</summary>
    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>Writes <paramref name="checkpoint"/> to <paramref name="path"/> (temporary file, then rename; the previous file becomes <c>path.prev</c>).</summary>
    public static void Save(string path, Checkpoint checkpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(checkpoint);
        checkpoint.ValidateSizes();
        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var file = new CheckpointFile
        {
            Magic = CheckpointFile.ExpectedMagic,
            Version = CheckpointFile.CurrentVersion,
            ModelSpecJson = checkpoint.ModelSpecJson,
            Layout = [.. checkpoint.Layout.Select(t => new CheckpointFileTensor { Name = t.Name, Offset = t.Offset, Length = t.Length, Shape = t.Shape })],
            Weights = ToBytes(checkpoint.Weights),
            OptimizerState = [.. checkpoint.OptimizerState.Select(v => new CheckpointFileVector { Name = v.Name, Values = ToBytes(v.Values) })],
            Step = checkpoint.Step,
            Epoch = checkpoint.Epoch,
            Seed = checkpoint.Seed,
            OptimizerJson = checkpoint.OptimizerJson,
            SkippedSteps = checkpoint.SkippedSteps,
        };

        string temporary = $"{fullPath}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                MessagePackSerializer.Serialize(stream, file);
                stream.Flush(flushToDisk: true);
            }

            if (File.Exists(fullPath))
            {
                File.Move(fullPath, fullPath + PreviousSuffix, overwrite: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// The file holding the latest checkpoint saved at <paramref name="path"/>: the path itself,
    /// or its <c>.prev</c> when the path is missing — a <see cref="Save"/> between its two
    /// renames (or killed there) has just moved the latest checkpoint aside. Null when neither exists.
    /// </summary>
    public static string? Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            return path;
        }

        string previous = path + PreviousSuffix;
        return File.Exists(previous) ? previous : null;
    }

    /// <summary>Reads and checks the checkpoint at <paramref name="path"/>.</summary>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new CheckpointException($"Checkpoint file '{path}' does not exist.");
        }

        CheckpointFile file;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            file = MessagePackSerializer.Deserialize<CheckpointFile>(stream, ReadOptions);
        }
        catch (MessagePackSerializationException e)
        {
            throw new CheckpointException($"Checkpoint file '{path}' is not a DistTrain checkpoint or is truncated: {e.Message}", e);
        }

        if (file is null || file.Magic != CheckpointFile.ExpectedMagic)
        {
            throw new CheckpointException($"File '{path}' is not a DistTrain checkpoint (magic '{file?.Magic}').");
        }

        if (file.Version is not (1 or CheckpointFile.CurrentVersion))
        {
            throw new CheckpointException($"Checkpoint '{path}' has format version {file.Version}; this build reads versions 1 and {CheckpointFile.CurrentVersion}.");
        }

        // Version 1 kept SGD's velocity only.
        CheckpointFileVector[]? state = file.Version == 1
            ? file.Velocity is null ? null : [new CheckpointFileVector { Name = "velocity", Values = file.Velocity }]
            : file.OptimizerState;
        if (file.ModelSpecJson is null || file.Layout is null || file.Weights is null || state is null || file.OptimizerJson is null)
        {
            throw new CheckpointException($"Checkpoint '{path}' is missing its model, layout, weights, optimiser state or optimiser.");
        }

        if (state.Any(v => v?.Name is null || v.Values is null))
        {
            throw new CheckpointException($"Checkpoint '{path}' has an optimiser state vector without a name or values.");
        }

        if (file.Weights.Length % sizeof(float) != 0 || state.Any(v => v.Values!.Length % sizeof(float) != 0))
        {
            throw new CheckpointException($"Checkpoint '{path}' holds a vector that is not a whole number of floats.");
        }

        var checkpoint = new Checkpoint(
            file.ModelSpecJson,
            [.. file.Layout.Select(t => new CheckpointTensor(t.Name ?? throw new CheckpointException($"Checkpoint '{path}' has a layout entry without a name."), t.Offset, t.Length, t.Shape ?? []))],
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

    /// <summary>Loads the latest checkpoint in <paramref name="directory"/>, or null when there is none.</summary>
    public static Checkpoint? TryLoadLatest(string directory)
    {
        string path = PathIn(directory);
        return File.Exists(path) ? Load(path) : null;
    }

    private static byte[] ToBytes(float[] values)
    {
        ThrowIfBigEndian();
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    private static float[] FromBytes(byte[] bytes)
    {
        ThrowIfBigEndian();
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    private static void ThrowIfBigEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoints store little-endian floats; this platform is big-endian.");
        }
    }
}
