namespace DistTrain.Grains.Link;

/// <summary>
/// How a worker reaches a parameter-server slice of another silo: through that silo's tensor
/// link when it has one and it could be opened, else by grain calls. Either way the slice grain
/// does the work, so the result is the same bits.
/// </summary>
internal sealed class SliceRoute(string key, IParameterServerGrain grain, LinkConnection? link)
{
    /// <summary>The slice grain's key.</summary>
    public string Key { get; } = key;

    /// <summary>The link used, or null for grain calls.</summary>
    public LinkConnection? Link { get; } = link;

    public Task<ParameterChunk> Read(ParameterKind kind, int offset, int count) =>
        Link is { } link ? link.Read(Key, kind, offset, count) : grain.Read(kind, offset, count);

    public Task<bool> Push(GradientChunk chunk) =>
        Link is { } link ? link.Push(Key, chunk) : grain.Push(chunk);

    /// <summary>Gives a read chunk's array back once its floats are copied (a link reuses them).</summary>
    public void Release(ParameterChunk chunk) => Link?.ReturnArray(chunk.Data);
}
