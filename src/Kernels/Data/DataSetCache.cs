using System.Net;
using System.Security.Cryptography;

namespace DistTrain.Kernels.Data;

/// <summary>
/// A directory of downloaded data files, like <c>~/.keras/datasets</c>: a file found there
/// with the right size and SHA-256 is used as is; otherwise it is downloaded from its mirrors
/// in order, to a temporary file that is verified and then renamed into place, so a failed or
/// interrupted download never leaves a partial file under the real name.
/// </summary>
public sealed class DataSetCache : IDisposable
{
    /// <summary>Environment variable that overrides the default cache directory.</summary>
    public const string EnvironmentVariable = "DISTTRAIN_DATA";

    private readonly HttpClient _http;
    private readonly Action<string> _log;
    private readonly HashSet<string> _unreachableHosts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Opens the cache at <paramref name="directory"/> (default <see cref="DefaultDirectory"/>).
    /// Each download, headers and body, must finish within <paramref name="downloadTimeout"/>
    /// (default 10 minutes). <paramref name="handler"/> replaces the HTTP stack (tests).
    /// </summary>
    public DataSetCache(string? directory = null, Action<string>? log = null, TimeSpan? downloadTimeout = null, HttpMessageHandler? handler = null)
    {
        Directory = Path.GetFullPath(directory ?? DefaultDirectory);
        _log = log ?? (_ => { });
        DownloadTimeout = downloadTimeout ?? TimeSpan.FromMinutes(10);
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) })
        {
            // The per-download token below enforces DownloadTimeout on the body as well.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("DistTrain/1.0");
    }

    /// <summary><c>$DISTTRAIN_DATA</c> when set, else <c>~/.disttrain/datasets</c>.</summary>
    public static string DefaultDirectory
    {
        get
        {
            string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
            return string.IsNullOrWhiteSpace(fromEnvironment)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".disttrain", "datasets")
                : fromEnvironment;
        }
    }

    /// <summary>The cache's root directory (absolute).</summary>
    public string Directory { get; }

    /// <summary>Time allowed for one download.</summary>
    public TimeSpan DownloadTimeout { get; }

    /// <summary>The directory of data set <paramref name="dataSet"/> (created when missing).</summary>
    public string DataSetDirectory(string dataSet)
    {
        string path = Path.Combine(Directory, dataSet);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Whether <paramref name="file"/> is in the cache of <paramref name="dataSet"/> with the right size and digest.</summary>
    public bool IsCached(string dataSet, RemoteFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        string path = Path.Combine(Directory, dataSet, file.FileName);
        return File.Exists(path) && Verify(path, file) is null;
    }

    /// <summary>
    /// Returns the verified file: from the cache when it is there and intact (a corrupt one is
    /// deleted), else downloaded from the first mirror that delivers the right bytes.
    /// </summary>
    /// <exception cref="DataDownloadException">No mirror delivered the file.</exception>
    public async Task<CachedFile> GetAsync(string dataSet, RemoteFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        string directory = DataSetDirectory(dataSet);
        string path = Path.Combine(directory, file.FileName);
        if (File.Exists(path))
        {
            string? problem = Verify(path, file);
            if (problem is null)
            {
                return new CachedFile(path, null);
            }

            _log($"Cached {path} is not the expected file ({problem}); downloading it again.");
            File.Delete(path);
        }

        var failures = new List<string>();
        foreach (Uri mirror in file.Mirrors)
        {
            var url = new Uri(mirror, file.FileName);
            if (_unreachableHosts.Contains(url.Host))
            {
                failures.Add($"{url}: skipped, {url.Host} was unreachable earlier");
                continue;
            }

            _log($"Downloading {url} ({file.Size:N0} bytes) …");
            string? problem = await DownloadAsync(url, path, file, cancellationToken).ConfigureAwait(false);
            if (problem is null)
            {
                _log($"Downloaded and verified {path}.");
                return new CachedFile(path, url);
            }

            _log($"{url}: {problem}");
            failures.Add($"{url}: {problem}");
        }

        throw new DataDownloadException(
            $"Could not obtain {file.FileName}: {string.Join("; ", failures)}. " +
            $"Put the file (SHA-256 {file.Sha256}, {file.Size} bytes) at {path} to use it offline.");
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Null when <paramref name="path"/> has the size and SHA-256 of <paramref name="file"/>, else what differs.</summary>
    internal static string? Verify(string path, RemoteFile file)
    {
        long length = new FileInfo(path).Length;
        if (length != file.Size)
        {
            return $"{length} bytes instead of {file.Size}";
        }

        using var stream = File.OpenRead(path);
        string digest = Convert.ToHexStringLower(SHA256.HashData(stream));
        return string.Equals(digest, file.Sha256, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"SHA-256 {digest} instead of {file.Sha256}";
    }

    /// <summary>Downloads to a temporary file beside <paramref name="path"/>, verifies it, renames it; null on success, else the reason.</summary>
    private async Task<string?> DownloadAsync(Uri url, string path, RemoteFile file, CancellationToken cancellationToken)
    {
        string partial = $"{path}.{Guid.NewGuid():N}.part";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DownloadTimeout);
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            }

            if (response.Content.Headers.ContentLength is long announced && announced != file.Size)
            {
                return $"the server announces {announced} bytes, expected {file.Size}";
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            await using (var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false))
            await using (var output = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int got;
                while ((got = await body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
                {
                    total += got;
                    if (total > file.Size)
                    {
                        return $"the server sent more than the expected {file.Size} bytes";
                    }

                    hash.AppendData(buffer, 0, got);
                    await output.WriteAsync(buffer.AsMemory(0, got), timeout.Token).ConfigureAwait(false);
                }
            }

            if (total != file.Size)
            {
                return $"the download stopped after {total} of {file.Size} bytes";
            }

            string digest = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(digest, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                return $"SHA-256 mismatch: got {digest}, expected {file.Sha256}";
            }

            File.Move(partial, path, overwrite: true);
            return null;
        }
        catch (HttpRequestException e)
        {
            if (e.StatusCode is null)
            {
                // A connection-level failure: the host's other files would fail the same way.
                _unreachableHosts.Add(url.Host);
            }

            return $"request failed ({e.Message})";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _unreachableHosts.Add(url.Host);
            return $"timed out after {DownloadTimeout}";
        }
        catch (IOException e)
        {
            return $"transfer failed ({e.Message})";
        }
        finally
        {
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
        }
    }
}
