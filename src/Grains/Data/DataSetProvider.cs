using System.Collections.Concurrent;
using DistTrain.Kernels.Data;

namespace DistTrain.Grains.Data;

/// <summary>
/// The default <see cref="IDataSetProvider"/>: <c>synthetic</c> data from
/// <see cref="SyntheticDataSets"/>, and named data sets from the loaders registered with
/// <see cref="Register"/> (the silo host registers the real ones). Each spec is loaded once.
/// </summary>
public sealed class DataSetProvider : IDataSetProvider
{
    private readonly ConcurrentDictionary<DataSpec, Lazy<IDataSet>> _cache = new();
    private readonly ConcurrentDictionary<string, Func<DataSpec, IDataSet>> _loaders = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Creates a provider that knows <c>synthetic</c>, <c>mnist</c>, <c>fashion-mnist</c> and
    /// <c>cifar10</c> (the Kernels loaders: <see cref="DataSpec.Path"/> is the cache directory,
    /// <see cref="DataSpec.Split"/> <c>train</c> or <c>test</c>).
    /// </summary>
    public DataSetProvider()
    {
        Register("synthetic", spec => SyntheticDataSets.Classification(
            spec.Synthetic ?? throw new ArgumentException("Data set 'synthetic' needs its Synthetic options.", nameof(spec))));
        Register("mnist", spec => Pick(spec, DataSets.LoadMnist(spec.Path)));
        Register("fashion-mnist", spec => Pick(spec, DataSets.LoadFashionMnist(spec.Path)));
        Register("cifar10", spec => Pick(spec, DataSets.LoadCifar10(spec.Path)));
    }

    private static IDataSet Pick(DataSpec spec, LoadedDataSets loaded) => spec.Split.ToLowerInvariant() switch
    {
        "train" => loaded.Train,
        "test" => loaded.Test,
        _ => throw new ArgumentException($"Data set '{spec.Name}' has the splits 'train' and 'test', not '{spec.Split}'.", nameof(spec)),
    };

    /// <summary>Adds (or replaces) the loader of data sets called <paramref name="name"/>.</summary>
    public DataSetProvider Register(string name, Func<DataSpec, IDataSet> loader)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(loader);
        _loaders[name] = loader;
        return this;
    }

    /// <inheritdoc />
    public IDataSet Get(DataSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!_loaders.TryGetValue(spec.Name, out var loader))
        {
            throw new ArgumentException($"Unknown data set '{spec.Name}'; this silo knows {string.Join(", ", _loaders.Keys.Order())}.", nameof(spec));
        }

        var lazy = _cache.GetOrAdd(spec, s => new Lazy<IDataSet>(() => loader(s), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _cache.TryRemove(KeyValuePair.Create(spec, lazy));
            throw;
        }
    }
}
