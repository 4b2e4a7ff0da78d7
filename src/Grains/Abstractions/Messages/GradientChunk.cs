namespace DistTrain.Grains;

/// <summary>
/// Part of one partial gradient sum pushed by a worker to a parameter-server slice: the
/// sum over the micro-shards of <see cref="Node"/> of the raw per-sample gradients, for
/// the floats <c>[Offset, Offset + Data.Length/4)</c> of the slice. Floats travel as
/// little-endian bytes (Orleans copies a byte array in one block, a float array element by
/// element); one chunk holds at most <see cref="PayloadLimits.MaxChunkBytes"/>.
/// (RunId, Step, Node, Offset) identifies a chunk: a duplicate is ignored.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Step">The step the gradient belongs to.</param>
/// <param name="Node">The micro-shard subtree summed.</param>
/// <param name="Offset">First float of the chunk, relative to the slice.</param>
/// <param name="Data">The floats as bytes.</param>
/// <param name="Encoding">How <c>Data</c> encodes the floats: 4 bytes each, or 2 (bfloat16).</param>
[GenerateSerializer, Immutable, Alias("DistTrain.GradientChunk")]
public sealed record GradientChunk(
    [property: Id(0)] string RunId,
    [property: Id(1)] long Step,
    [property: Id(2)] ShardNode Node,
    [property: Id(3)] int Offset,
    [property: Id(4)] byte[] Data,
    [property: Id(5)] GradientCompression Encoding = GradientCompression.None);
