namespace DistTrain.Kernels.Data;

/// <summary>A file the data-set cache can download, with what it must be.</summary>
/// <param name="FileName">Name in the cache directory and on the mirrors.</param>
/// <param name="Size">Exact size in bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256 digest of the file.</param>
/// <param name="Mirrors">Base URLs (ending in '/') tried in order; the URL is base + <paramref name="FileName"/>.</param>
public sealed record RemoteFile(string FileName, long Size, string Sha256, IReadOnlyList<Uri> Mirrors);
