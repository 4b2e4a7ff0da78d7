namespace DistTrain.Kernels.Data;

/// <summary>A verified file in the data-set cache.</summary>
/// <param name="Path">Where it is.</param>
/// <param name="Url">The URL it was downloaded from just now, or null when it was already cached.</param>
public sealed record CachedFile(string Path, Uri? Url)
{
    /// <summary>Whether this call downloaded the file.</summary>
    public bool Downloaded => Url is not null;
}
