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

    public Task<ParameterChunk> Read(ParameterKind kind, int offset, int count, long atLeast = -1) =>
        Link is { } link ? link.Read(Key, kind, offset, count, atLeast) : ReadByGrainCall(kind, offset, count, atLeast);

    public Task<bool> Push(GradientChunk chunk) =>
        Link is { } link ? link.Push(Key, chunk) : grain.Push(chunk);

    /// <summary>Gives a read chunk's array back once its floats are copied (a link reuses them).</summary>
    public void Release(ParameterChunk chunk) => Link?.ReturnArray(chunk.Data);

    /// <summary>
    /// A read through grain calls (no link) of version <paramref name="atLeast"/> or later: the
    /// grain answers with what it holds, so a read sent while the step before is still being
    /// applied asks again, at growing intervals, until the slice has moved on (bounded by
    /// <see cref="Servers.LocalSlice.VersionPatience"/>).
    /// </summary>
    private async Task<ParameterChunk> ReadByGrainCall(ParameterKind kind, int offset, int count, long atLeast)
    {
        ParameterChunk chunk = await grain.Read(kind, offset, count);
        long deadline = Environment.TickCount64 + (long)Servers.LocalSlice.VersionPatience.TotalMilliseconds;
        int pause = 1;
        while (chunk.Version < atLeast && Environment.TickCount64 < deadline)
        {
            await Task.Delay(pause);
            pause = Math.Min(pause * 2, 50);
            chunk = await grain.Read(kind, offset, count);
        }

        return chunk; // still older: the caller's version check explains it
    }
}
