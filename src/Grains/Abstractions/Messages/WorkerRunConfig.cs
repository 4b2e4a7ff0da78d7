namespace DistTrain.Grains;

/// <summary>What a worker needs to know about a run to compute its micro-shards.</summary>
/// <param name="RunId">The run.</param>
/// <param name="ModelSpecJson">The model.</param>
/// <param name="Data">The training data (read by the worker from its silo's provider).</param>
/// <param name="BatchSize">Global batch size.</param>
/// <param name="MicroShards">Micro-shards per global batch.</param>
/// <param name="Seed">Seed of the per-epoch shuffle.</param>
/// <param name="Servers">The parameter-server slices, in order.</param>
/// <param name="BucketBytes">Gradient bytes per push during the backward, and weight bytes per read (0: one push per slice after the backward, one read per 16 MiB chunk).</param>
/// <param name="Compression">How pushed gradients are encoded on the wire.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.WorkerRunConfig")]
public sealed record WorkerRunConfig(
    [property: Id(0)] string RunId,
    [property: Id(1)] string ModelSpecJson,
    [property: Id(2)] DataSpec Data,
    [property: Id(3)] int BatchSize,
    [property: Id(4)] int MicroShards,
    [property: Id(5)] ulong Seed,
    [property: Id(6)] IReadOnlyList<ServerSlice> Servers,
    [property: Id(7)] int BucketBytes = RunSpec.DefaultBucketBytes,
    [property: Id(8)] GradientCompression Compression = GradientCompression.None);
