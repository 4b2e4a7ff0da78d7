using System.Collections.Concurrent;

namespace DistTrain.Kernels.Data;

/// <summary>
/// Shares loaded data sets inside one process: several worker grains of a silo asking for
/// MNIST get the same read-only arrays instead of one copy each. Entries are keyed by the
/// files' full paths, lengths and modification times, and held weakly, so memory is returned
/// once no one uses a data set. A per-key gate also keeps concurrent callers from fetching the
/// same files twice.
/// </summary>
internal static class LoadedDataMemo
{
    private static readonly ConcurrentDictionary<string, WeakReference<InMemoryDataSet>> Loaded = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>The data set parsed from <paramref name="files"/>, from memory when they have not changed since.</summary>
    public static InMemoryDataSet GetOrLoad(IReadOnlyList<string> files, Func<InMemoryDataSet> load)
    {
        string key = string.Join("|", files.Select(Identity));
        if (Loaded.TryGetValue(key, out var weak) && weak.TryGetTarget(out InMemoryDataSet? data))
        {
            return data;
        }

        data = load();
        Loaded[key] = new WeakReference<InMemoryDataSet>(data);
        return data;
    }

    /// <summary>Serialises fetching into one cache directory within this process.</summary>
    public static async Task<IDisposable> EnterAsync(string directory, CancellationToken cancellationToken)
    {
        SemaphoreSlim gate = Gates.GetOrAdd(Path.GetFullPath(directory), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Release(gate);
    }

    private static string Identity(string path)
    {
        var info = new FileInfo(path);
        return $"{info.FullName}:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
