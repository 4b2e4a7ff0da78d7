namespace DistTrain.Grains;

/// <summary>
/// A range of a parameter-server slice's weights or velocity, as little-endian float bytes
/// (at most <see cref="PayloadLimits.MaxChunkBytes"/>).
/// </summary>
/// <param name="Kind">Weights or velocity.</param>
/// <param name="Version">Steps applied to the slice when it was read (the weights of step <c>Version</c>).</param>
/// <param name="Offset">First float of the chunk, relative to the slice.</param>
/// <param name="Data">The floats as bytes.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.ParameterChunk")]
public sealed record ParameterChunk(
    [property: Id(0)] ParameterKind Kind,
    [property: Id(1)] long Version,
    [property: Id(2)] int Offset,
    [property: Id(3)] byte[] Data);
