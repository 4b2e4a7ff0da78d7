using System.Collections.Concurrent;
using DistTrain.Grains;
using DistTrain.Grains.Data;
using DistTrain.Kernels.Data;
using DistTrain.Silo.Data;

namespace DistTrain.Runs;

/// <summary>
/// Samples a program holds in memory, made readable to the workers of an embedded silo in
/// the same process: <see cref="Add"/> gives a key, and the <see cref="DataSpec"/>
/// <c>("memory", key, split)</c> names them (split <c>train</c> or a range such as
/// <c>train[:90%]</c>, cut as <see cref="StandardDataSets"/> cuts them). Silos in other
/// processes cannot read them: samples never travel through Orleans.
/// </summary>
public static class InMemoryDataSets
{
    private static readonly ConcurrentDictionary<string, IDataSet> Registered = new(StringComparer.Ordinal);

    /// <summary>Registers <paramref name="data"/> and returns its key (the <see cref="DataSpec.Path"/> that names it).</summary>
    public static string Add(IDataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var key = Guid.NewGuid().ToString("N");
        Registered[key] = data;
        return key;
    }

    /// <summary>Forgets the samples of <paramref name="key"/>.</summary>
    public static void Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Registered.TryRemove(key, out _);
    }

    /// <summary>
    /// A provider with the standard data sets, <c>synthetic</c> and the samples registered here;
    /// <paramref name="log"/> gets the one line per load saying where a data set came from (every
    /// loading step when <paramref name="verbose"/>), as <see cref="RunEvaluator.CreateProvider"/>.
    /// </summary>
    public static DataSetProvider CreateProvider(Action<string>? log = null, bool verbose = false) =>
        RunEvaluator.CreateProvider(log ?? (_ => { }), verbose).Register(DataSetReference.InMemoryName, Load);

    /// <summary>The split of registered samples named by <paramref name="spec"/>.</summary>
    public static IDataSet Load(DataSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Path is null || !Registered.TryGetValue(spec.Path, out var whole))
        {
            throw new ArgumentException($"No in-memory samples are registered as '{spec.Path}' in this process.", nameof(spec));
        }

        var split = DataSplitName.Parse(spec.Split);
        if (split.Name != "train")
        {
            throw new ArgumentException($"In-memory samples have only a train split (with ranges such as train[90%:]), not '{spec.Split}'.", nameof(spec));
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
}
