using MessagePack;

namespace DistTrain.Kernels.Training;

/// <summary>
/// The MessagePack record written to disk. Vectors are stored as little-endian float bytes
/// (one bin block) rather than MessagePack float arrays (5 bytes and a branch per element).
/// Format version 2 files are this record followed by the SHA-256 digest of its bytes
/// (<see cref="CheckpointReader"/>); version 1 files, without the digest, are still read.
/// </summary>
[MessagePackObject]
public sealed class CheckpointFile
{
    /// <summary>Expected value of <see cref="Magic"/>.</summary>
    public const string ExpectedMagic = "DistTrain.Checkpoint";

    /// <summary>
    /// The format version this code writes: the record, with the optimiser's state as named
    /// vectors (<see cref="OptimizerState"/>), followed by the SHA-256 digest of its bytes.
    /// </summary>
    public const int CurrentVersion = 2;

    /// <summary>The earlier format version, without a digest and with SGD's <see cref="Velocity"/> as its only state, which this code still reads.</summary>
    public const int UndigestedVersion = 1;

    [Key(0)] public string? Magic { get; set; }
    [Key(1)] public int Version { get; set; }
    [Key(2)] public string? ModelSpecJson { get; set; }
    [Key(3)] public CheckpointFileTensor[]? Layout { get; set; }
    [Key(4)] public byte[]? Weights { get; set; }
    /// <summary>Version 1's momentum buffer; version 2 keeps it in <see cref="OptimizerState"/>.</summary>
    [Key(5)] public byte[]? Velocity { get; set; }
    [Key(6)] public long Step { get; set; }
    [Key(7)] public int Epoch { get; set; }
    [Key(8)] public ulong Seed { get; set; }
    [Key(9)] public string? OptimizerJson { get; set; }
    [Key(10)] public long SkippedSteps { get; set; }
    [Key(11)] public CheckpointFileVector[]? OptimizerState { get; set; }
}

/// <summary>One named optimiser state vector of a <see cref="CheckpointFile"/> (little-endian float bytes).</summary>
[MessagePackObject]
public sealed class CheckpointFileVector
{
    [Key(0)] public string? Name { get; set; }
    [Key(1)] public byte[]? Values { get; set; }
}

/// <summary>One layout entry of a <see cref="CheckpointFile"/>.</summary>
[MessagePackObject]
public sealed class CheckpointFileTensor
{
    [Key(0)] public string? Name { get; set; }
    [Key(1)] public int Offset { get; set; }
    [Key(2)] public int Length { get; set; }
    [Key(3)] public int[]? Shape { get; set; }
}
