using DistTrain.Kernels.Training;
using MessagePack;

namespace DistTrain.Kernels.Saving;

/// <summary>
/// The outer MessagePack record of a model or weights file: a magic string, the format
/// version, the body (a MessagePack <see cref="ModelFileBody"/>) and the SHA-256 of the body,
/// so any corruption or truncation of the body is found before it is read.
/// </summary>
[MessagePackObject]
public sealed class ModelFileEnvelope
{
    /// <summary>Expected value of <see cref="Magic"/>.</summary>
    public const string ExpectedMagic = "DistTrain.Model";

    /// <summary>The format version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    [Key(0)] public string? Magic { get; set; }
    [Key(1)] public int Version { get; set; }
    [Key(2)] public byte[]? Body { get; set; }
    [Key(3)] public byte[]? Sha256 { get; set; }
}

/// <summary>The checked body of a <see cref="ModelFileEnvelope"/>. Vectors are little-endian float bytes.</summary>
[MessagePackObject]
public sealed class ModelFileBody
{
    /// <summary><see cref="Kind"/> of a whole model (<see cref="ModelStore.Save"/>).</summary>
    public const string ModelKind = "model";

    /// <summary><see cref="Kind"/> of a weights-only file (<see cref="ModelStore.SaveWeights"/>): no architecture.</summary>
    public const string WeightsKind = "weights";

    [Key(0)] public string? Kind { get; set; }
    [Key(1)] public string? ModelSpecJson { get; set; }
    [Key(2)] public CheckpointFileTensor[]? Layout { get; set; }
    [Key(3)] public byte[]? Weights { get; set; }
    [Key(4)] public string? OptimizerJson { get; set; }
    [Key(5)] public CheckpointFileVector[]? OptimizerState { get; set; }
    [Key(6)] public long Step { get; set; }
    [Key(7)] public long SkippedSteps { get; set; }
}
