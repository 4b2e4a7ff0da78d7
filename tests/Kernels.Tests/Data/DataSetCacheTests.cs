using System.Net;
using System.Security.Cryptography;
using DistTrain.Kernels.Data;

namespace DistTrain.Kernels.Tests.Data;

public sealed class DataSetCacheTests : IDisposable
{
    private const string MirrorA = "https://a.example/data/";
    private const string MirrorB = "https://b.example/data/";
    private static readonly byte[] Content = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 13))];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static RemoteFile File(byte[] content, params string[] mirrors) =>
        new("file.bin", content.Length, Convert.ToHexStringLower(SHA256.HashData(content)), [.. mirrors.Select(m => new Uri(m))]);

    private string CachedPath => Path.Combine(_dir.Path, "set", "file.bin");

    private string[] LeftoverFiles => Directory.Exists(Path.Combine(_dir.Path, "set")) ? Directory.GetFiles(Path.Combine(_dir.Path, "set")) : [];

    [Fact]
    public async Task DownloadIsVerifiedStoredAndThenServedFromTheCache()
    {
        var http = new FakeHttpHandler().Serve(MirrorA + "file.bin", Content);
        using var cache = new DataSetCache(_dir.Path, handler: http);

        CachedFile first = await cache.GetAsync("set", File(Content, MirrorA));
        CachedFile second = await cache.GetAsync("set", File(Content, MirrorA));

        Assert.Equal(new Uri(MirrorA + "file.bin"), first.Url);
        Assert.True(first.Downloaded);
        Assert.False(second.Downloaded);
        Assert.Equal(CachedPath, second.Path);
        Assert.Equal(Content, System.IO.File.ReadAllBytes(CachedPath));
        Assert.Single(http.Requests);
        Assert.True(cache.IsCached("set", File(Content, MirrorA)));
    }

    [Fact]
    public async Task NextMirrorIsTriedWhenTheFirstFails()
    {
        var http = new FakeHttpHandler().Status(MirrorA + "file.bin", HttpStatusCode.NotFound).Serve(MirrorB + "file.bin", Content);
        using var cache = new DataSetCache(_dir.Path, handler: http);

        CachedFile file = await cache.GetAsync("set", File(Content, MirrorA, MirrorB));

        Assert.Equal(new Uri(MirrorB + "file.bin"), file.Url);
        Assert.Equal(2, http.Requests.Count);
    }

    [Fact]
    public async Task WrongDigestFailsAndLeavesNoFile()
    {
        byte[] tampered = (byte[])Content.Clone();
        tampered[100] ^= 1;
        var http = new FakeHttpHandler().Serve(MirrorA + "file.bin", tampered);
        using var cache = new DataSetCache(_dir.Path, handler: http);

        var e = await Assert.ThrowsAsync<DataDownloadException>(() => cache.GetAsync("set", File(Content, MirrorA)));

        Assert.Contains("SHA-256 mismatch", e.Message);
        Assert.Contains(CachedPath, e.Message);
        Assert.Empty(LeftoverFiles);
    }

    [Fact]
    public async Task BrokenTransferLeavesNoPartialFile()
    {
        var http = new FakeHttpHandler().BreakMidway(MirrorA + "file.bin", Content);
        using var cache = new DataSetCache(_dir.Path, handler: http);

        var e = await Assert.ThrowsAsync<DataDownloadException>(() => cache.GetAsync("set", File(Content, MirrorA)));

        Assert.Contains("connection reset", e.Message);
        Assert.Empty(LeftoverFiles);
    }

    [Fact]
    public async Task OversizedBodyIsCutOffAndDiscarded()
    {
        var http = new FakeHttpHandler().Serve(MirrorA + "file.bin", [.. Content, .. Content]);
        using var cache = new DataSetCache(_dir.Path, handler: http);

        var e = await Assert.ThrowsAsync<DataDownloadException>(() => cache.GetAsync("set", File(Content, MirrorA)));

        Assert.Contains("announces 10000 bytes", e.Message);
        Assert.Empty(LeftoverFiles);
    }

    [Fact]
    public async Task SlowMirrorTimesOutAndItsHostIsSkippedAfterwards()
    {
        var http = new FakeHttpHandler().Hang(MirrorA + "file.bin");
        using var cache = new DataSetCache(_dir.Path, downloadTimeout: TimeSpan.FromMilliseconds(200), handler: http);
        RemoteFile other = File(Content, MirrorA) with { FileName = "other.bin" };

        var first = await Assert.ThrowsAsync<DataDownloadException>(() => cache.GetAsync("set", File(Content, MirrorA)));
        var second = await Assert.ThrowsAsync<DataDownloadException>(() => cache.GetAsync("set", other));

        Assert.Contains("timed out", first.Message);
        Assert.Contains("unreachable earlier", second.Message);
        Assert.Single(http.Requests);
    }

    [Fact]
    public async Task CorruptCachedFileIsReplaced()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(CachedPath)!);
        System.IO.File.WriteAllBytes(CachedPath, new byte[Content.Length]);
        var http = new FakeHttpHandler().Serve(MirrorA + "file.bin", Content);
        var log = new List<string>();
        using var cache = new DataSetCache(_dir.Path, log.Add, handler: http);

        CachedFile file = await cache.GetAsync("set", File(Content, MirrorA));

        Assert.True(file.Downloaded);
        Assert.Equal(Content, System.IO.File.ReadAllBytes(CachedPath));
        Assert.Contains(log, line => line.Contains("not the expected file"));
    }

    [Fact]
    public void DefaultDirectoryFollowsTheEnvironmentVariable()
    {
        string? saved = Environment.GetEnvironmentVariable(DataSetCache.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DataSetCache.EnvironmentVariable, _dir.Path);
            Assert.Equal(_dir.Path, DataSetCache.DefaultDirectory);
            using var cache = new DataSetCache();
            Assert.Equal(_dir.Path, cache.Directory);

            Environment.SetEnvironmentVariable(DataSetCache.EnvironmentVariable, null);
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            Assert.Equal(Path.Combine(home, ".disttrain", "datasets"), DataSetCache.DefaultDirectory);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataSetCache.EnvironmentVariable, saved);
        }
    }
}
