using System.Runtime.InteropServices;
using MessagePack;

namespace DistTrain.Kernels.Training;

/// <summary>
/// Writes and reads <see cref="Checkpoint"/>s as MessagePack files. A save writes a
/// temporary file, flushes it to disk, keeps the previous checkpoint as <c>.prev</c> and
/// renames the new one into place, so a crash leaves either the old or the new file whole.
/// The file ends with the SHA-256 digest of its record. A load treats the file as untrusted
/// (<see cref="CheckpointReader"/>: size limit, digest, magic, format version, sizes) and
/// rejects anything else with a <see cref="CheckpointException"/>;
/// <see cref="LoadLatest"/> falls back to the previous checkpoint when the latest is damaged.
/// </summary>
public static class CheckpointStore
{
    /// <summary>File name of the latest checkpoint inside a run's checkpoint directory.</summary>
    public const string FileName = "checkpoint.msgpack";

    /// <summary>Suffix of the previous checkpoint kept beside the latest.</summary>
    public const string PreviousSuffix = ".prev";

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
            byte[] bytes = CheckpointReader.AppendDigest(MessagePackSerializer.Serialize(file));
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                stream.Write(bytes);
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

    /// <summary>
    /// Reads and checks the checkpoint at <paramref name="path"/> as untrusted input
    /// (<see cref="CheckpointReader"/>), with no model to size it by (files up to
    /// <see cref="CheckpointReader.DefaultMaxBytes"/>).
    /// </summary>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return CheckpointReader.ReadFile(path, CheckpointReader.DefaultMaxBytes);
    }

    /// <summary>
    /// Reads the checkpoint at <paramref name="path"/> for a model of <paramref name="expectedLayout"/>:
    /// a file larger than such a checkpoint can be (<see cref="CheckpointReader.MaxBytesFor"/>)
    /// is refused unread, and the checkpoint must fit the layout.
    /// </summary>
    public static Checkpoint Load(string path, IReadOnlyList<CheckpointTensor> expectedLayout)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(expectedLayout);
        Checkpoint checkpoint = CheckpointReader.ReadFile(path, CheckpointReader.MaxBytesFor(expectedLayout));
        checkpoint.ValidateAgainst(expectedLayout);
        return checkpoint;
    }

    /// <summary>
    /// The latest usable checkpoint saved at <paramref name="path"/> for a model of
    /// <paramref name="expectedLayout"/>: the file itself, or its <c>.prev</c> when the file is
    /// missing (a save between its two renames), corrupt, truncated or of another model. Throws
    /// a <see cref="CheckpointException"/> naming both failures when neither loads.
    /// </summary>
    /// <returns>The checkpoint and the file it came from.</returns>
    public static (Checkpoint Checkpoint, string File) LoadLatest(string path, IReadOnlyList<CheckpointTensor> expectedLayout)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(expectedLayout);
        string previous = path + PreviousSuffix;
        CheckpointException? latestError = null;
        if (File.Exists(path))
        {
            try
            {
                return (Load(path, expectedLayout), path);
            }
            catch (CheckpointException e)
            {
                latestError = e;
            }
        }

        if (!File.Exists(previous))
        {
            throw latestError ?? new CheckpointException($"Checkpoint file '{path}' does not exist.");
        }

        try
        {
            return (Load(previous, expectedLayout), previous);
        }
        catch (CheckpointException e) when (latestError is not null)
        {
            throw new CheckpointException($"{latestError.Message} The previous checkpoint does not load either: {e.Message}", latestError);
        }
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

    private static void ThrowIfBigEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoints store little-endian floats; this platform is big-endian.");
        }
    }
}
