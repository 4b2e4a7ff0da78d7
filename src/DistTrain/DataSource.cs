using DistTrain.Grains.Data;
using DistTrain.Kernels.Data;
using DistTrain.Runs;
using DistTrain.Silo.Data;

namespace DistTrain;

/// <summary>
/// Samples to train on, validate with, evaluate or predict: a built-in data set or a CSV file
/// by name (every silo reads the samples itself, so they work on an embedded and on a running
/// cluster), or arrays in this program's memory (which only the embedded cluster, in this
/// process, can read).
/// </summary>
public sealed class DataSource
{
    private readonly IDataSet? _samples;

    private DataSource(DataSetReference reference, string split, IDataSet? samples)
    {
        Reference = reference;
        Split = split;
        _samples = samples;
    }

    /// <summary>The data set as a run names it (for samples in memory, the name <c>memory</c> without a key).</summary>
    public DataSetReference Reference { get; }

    /// <summary>The split: <c>train</c>, <c>test</c>, or a range such as <c>train[:25%]</c>.</summary>
    public string Split { get; }

    /// <summary>True for samples held in this program's memory.</summary>
    public bool IsInMemory => _samples is not null;

    /// <summary>
    /// A built-in data set (<c>mnist</c>, <c>fashion-mnist</c>, <c>cifar10</c>) by name. <paramref name="split"/> is
    /// <c>train</c>, <c>test</c> or a percentage range of one (<c>train[:25%]</c>, <c>test[50%:]</c>);
    /// <paramref name="dataDirectory"/> is the data-set cache (default <c>$DISTTRAIN_DATA</c> or
    /// <c>~/.disttrain/datasets</c>; on a running cluster a path every silo can read).
    /// </summary>
    public static DataSource Named(string name, string split = "train", string? dataDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!StandardDataSets.Names.Contains(name) || name == "csv")
        {
            throw new ArgumentException($"unknown data set '{name}'; built in: {string.Join(", ", StandardDataSets.Names.Where(n => n != "csv"))} (and DataSource.Csv).");
        }

        return new DataSource(new DataSetReference(name, dataDirectory is null ? null : Path.GetFullPath(dataDirectory)), CheckSplit(split), null);
    }

    /// <summary>The MNIST digits (28×28×1, 10 classes); see <see cref="Named"/>.</summary>
    public static DataSource Mnist(string split = "train", string? dataDirectory = null) => Named("mnist", split, dataDirectory);

    /// <summary>Fashion-MNIST (28×28×1, 10 classes); see <see cref="Named"/>.</summary>
    public static DataSource FashionMnist(string split = "train", string? dataDirectory = null) => Named("fashion-mnist", split, dataDirectory);

    /// <summary>CIFAR-10 (32×32×3, 10 classes); see <see cref="Named"/>.</summary>
    public static DataSource Cifar10(string split = "train", string? dataDirectory = null) => Named("cifar10", split, dataDirectory);

    /// <summary>
    /// A CSV file of numbers with a header row; <paramref name="target"/> is the target column by
    /// name or zero-based index (default the last). A CSV file has only a train split (and ranges of it).
    /// On a running cluster the path must be readable by every silo.
    /// </summary>
    public static DataSource Csv(string path, string? target = null, string split = "train")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new DistTrainException($"CSV file '{full}' does not exist.");
        }

        return new DataSource(new DataSetReference("csv", full, target), CheckSplit(split), null);
    }

    /// <summary>
    /// Samples in memory: <paramref name="features"/> holds count × (product of <paramref name="inputShape"/>)
    /// floats row by row, <paramref name="targets"/> count × target-size floats (one-hot rows for
    /// classification, values for regression).
    /// </summary>
    public static DataSource FromArrays(float[] features, float[] targets, int[] inputShape, int targetSize)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(inputShape);
        return FromDataSet(new InMemoryDataSet(features, targets, inputShape, targetSize));
    }

    /// <summary>
    /// Samples in memory with class labels: <paramref name="features"/> as in
    /// <see cref="FromArrays(float[], float[], int[], int)"/>, <paramref name="labels"/> one class
    /// index in [0, <paramref name="classes"/>) per sample (turned into one-hot targets).
    /// </summary>
    public static DataSource FromArrays(float[] features, int[] labels, int classes, int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        var targets = new float[checked(labels.Length * classes)];
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentException($"label {labels[i]} of sample {i} is not a class in [0, {classes}).", nameof(labels));
            }

            targets[(i * classes) + labels[i]] = 1f;
        }

        return FromArrays(features, targets, inputShape, classes);
    }

    /// <summary>Any <see cref="IDataSet"/> in this program's memory.</summary>
    public static DataSource FromDataSet(IDataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("the data set has no samples.", nameof(data));
        }

        return new DataSource(new DataSetReference(DataSetReference.InMemoryName), "train", data);
    }

    /// <summary>The same data set with another split (<c>DataSource.Mnist().WithSplit("test")</c>).</summary>
    public DataSource WithSplit(string split) =>
        IsInMemory ? throw new InvalidOperationException("samples in memory have no named splits; pass the arrays you want.") : new DataSource(Reference, CheckSplit(split), null);

    /// <inheritdoc />
    public override string ToString() => IsInMemory ? $"{_samples!.Count:N0} samples in memory" : $"{Reference}, {Split} split";

    /// <summary>The samples, loaded through <paramref name="provider"/> (samples in memory as they are).</summary>
    internal IDataSet Load(IDataSetProvider provider) => _samples ?? RunEvaluator.Load(provider, Reference, Split);

    /// <summary>
    /// The data set and split a run trains on; samples in memory are registered with
    /// <see cref="InMemoryDataSets"/> under a new key, which the caller removes when the run is over.
    /// </summary>
    internal (DataSetReference Reference, string Split, string? Key) ForRun()
    {
        if (_samples is null)
        {
            return (Reference, Split, null);
        }

        var key = InMemoryDataSets.Add(_samples);
        return (new DataSetReference(DataSetReference.InMemoryName, key), "train", key);
    }

    private static string CheckSplit(string split)
    {
        ArgumentNullException.ThrowIfNull(split);
        try
        {
            return DataSplitName.Parse(split).ToString();
        }
        catch (FormatException ex)
        {
            throw new ArgumentException(ex.Message, nameof(split), ex);
        }
    }
}
