using DistTrain.Grains;
using DistTrain.Grains.Data;
using DistTrain.Kernels.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DistTrain.Silo.Data;

/// <summary>
/// Resolves a run's <see cref="DataSpec"/> to samples with the Kernels loaders: <c>mnist</c>,
/// <c>fashion-mnist</c> and <c>cifar10</c> through the data-set cache (<see cref="DataSpec.Path"/>
/// is the cache directory; null uses <c>$DISTTRAIN_DATA</c> or <c>~/.disttrain/datasets</c>),
/// and <c>csv</c> from the file in <see cref="DataSpec.Path"/> (target column after a
/// <c>#</c>, default the last column). <see cref="DataSpec.Split"/> is a
/// <see cref="DataSplitName"/>. The silo registers these with its
/// <see cref="DataSetProvider"/>; the console uses the same code to evaluate, so both see
/// the same samples.
/// </summary>
public static partial class StandardDataSets
{
    /// <summary>Starts the one log line per load that says what was loaded and from where.</summary>
    public const string SummaryPrefix = "data: ";

    /// <summary>The data-set names resolved here.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mnist", "fashion-mnist", "cifar10", "csv"];

    /// <summary>Registers every standard data set with <paramref name="provider"/>.</summary>
    public static DataSetProvider RegisterStandardDataSets(this DataSetProvider provider, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        foreach (var name in Names)
        {
            provider.Register(name, spec => Load(spec, log));
        }

        return provider;
    }

    /// <summary>
    /// Registers the silo's <see cref="IDataSetProvider"/> with the standard data sets (and
    /// <c>synthetic</c>), logging where each data set came from; data paths are confined to
    /// <see cref="DataPathOptions.Roots"/> (<see cref="RootedDataSetProvider"/>). Call before
    /// <c>AddDistTrainGrains</c>, which otherwise registers a provider that knows only synthetic data.
    /// </summary>
    public static IServiceCollection AddStandardDataSets(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<DataPathOptions>().BindConfiguration(DataPathOptions.SectionName);
        services.TryAddSingleton<IDataSetProvider>(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StandardDataSets).FullName!);
            var roots = sp.GetRequiredService<IOptions<DataPathOptions>>().Value.EffectiveRoots;
            return new RootedDataSetProvider(new DataSetProvider().RegisterStandardDataSets(message => LogDataSet(logger, message)), roots);
        });
        return services;
    }

    /// <summary>Loads the split named by <paramref name="spec"/> (blocking: downloads when not cached).</summary>
    public static IDataSet Load(DataSpec spec, Action<string>? log = null) =>
        LoadAsync(spec, log, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Loads the split named by <paramref name="spec"/>.</summary>
    public static async Task<IDataSet> LoadAsync(DataSpec spec, Action<string>? log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var split = DataSplitName.Parse(spec.Split);
        IDataSet whole;
        if (string.Equals(spec.Name, "csv", StringComparison.OrdinalIgnoreCase))
        {
            if (split.Name != "train")
            {
                throw new ArgumentException($"A CSV data set has only a train split (with ranges such as train[90%:]), not '{spec.Split}'.", nameof(spec));
            }

            whole = LoadCsv(spec.Path ?? throw new ArgumentException("Data set 'csv' needs the file in its Path.", nameof(spec)));
        }
        else
        {
            var options = new DataSetLoadOptions { CacheDirectory = spec.Path, Log = log };
            var loaded = spec.Name.ToLowerInvariant() switch
            {
                "mnist" => await DataSets.LoadMnistAsync(options, cancellationToken).ConfigureAwait(false),
                "fashion-mnist" => await DataSets.LoadFashionMnistAsync(options, cancellationToken).ConfigureAwait(false),
                "cifar10" => await DataSets.LoadCifar10Async(options, cancellationToken).ConfigureAwait(false),
                _ => throw new ArgumentException($"Unknown data set '{spec.Name}'; known: {string.Join(", ", Names)}.", nameof(spec)),
            };
            log?.Invoke($"{SummaryPrefix}{spec.Name}, {loaded.Train.Count:N0} training and {loaded.Test.Count:N0} test samples ({loaded.Source}: {loaded.Detail}).");
            whole = split.Name == "train" ? loaded.Train : loaded.Test;
        }

        if (split.IsWhole)
        {
            return whole;
        }

        var (start, end) = split.Range(whole.Count);
        if (end <= start)
        {
            throw new ArgumentException($"Split '{spec.Split}' of {whole.Count} samples is empty.", nameof(spec));
        }

        return DataSplit.Range(whole, start, end - start);
    }

    /// <summary>Splits a CSV path of the form <c>file.csv#target</c> into the file and the target column.</summary>
    public static (string File, string? Target) ParseCsvPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var hash = path.LastIndexOf('#');
        return hash < 0 ? (path, null) : (path[..hash], path[(hash + 1)..]);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Message}")]
    private static partial void LogDataSet(ILogger logger, string message);

    private static IDataSet LoadCsv(string path)
    {
        var (file, target) = ParseCsvPath(path);
        CsvOptions? options = target is null ? null
            : int.TryParse(target, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                ? new CsvOptions { TargetColumnIndices = [index] }
                : new CsvOptions { TargetColumns = [target] };
        return DataSets.LoadCsv(file, options).Data;
    }
}
