using DistTrain.Grains;
using DistTrain.Silo.Data;

namespace DistTrain.Runs;

/// <summary>
/// Which data a run uses, as the user named it: a known data set (<c>mnist</c>,
/// <c>fashion-mnist</c>, <c>cifar10</c>) with an optional cache directory, or a CSV file
/// with the name of its target column.
/// </summary>
/// <param name="Name">Data-set name, or <c>csv</c>.</param>
/// <param name="Path">Cache directory of a named data set, or the CSV file.</param>
/// <param name="Target">CSV only: the target column (name or zero-based index); default the last column.</param>
public sealed record DataSetReference(string Name, string? Path = null, string? Target = null)
{
    /// <summary>The data-set names the console knows.</summary>
    public static IReadOnlyList<string> KnownNames => StandardDataSets.Names;

    /// <summary>The name of samples a program registered in memory (<see cref="InMemoryDataSets"/>); only an embedded cluster can read them.</summary>
    public const string InMemoryName = "memory";

    /// <summary>True for samples held in this process's memory.</summary>
    public bool IsInMemory => string.Equals(Name, InMemoryName, StringComparison.Ordinal);

    /// <summary>True for a CSV file.</summary>
    public bool IsCsv => string.Equals(Name, "csv", StringComparison.Ordinal);

    /// <summary>
    /// The <see cref="DataSpec"/> of <paramref name="split"/> (<c>train</c>, <c>validation</c> or
    /// <c>test</c>). A validation fraction is carried in the split name (<c>train[:90%]</c>
    /// and <c>train[90%:]</c>, see <see cref="DataSplitName"/>), so every silo and this
    /// console cut the same samples off; a CSV target column follows the path after <c>#</c>.
    /// </summary>
    public DataSpec ToDataSpec(string split, double validationSplit = 0)
    {
        var name = split switch
        {
            "train" when validationSplit > 0 => DataSplitName.ForValidation(validationSplit).Train,
            "validation" when validationSplit > 0 => DataSplitName.ForValidation(validationSplit).Validation,
            "validation" => throw new ArgumentException("There is no validation split without a validation fraction.", nameof(split)),
            "train" or "test" => split,
            _ => DataSplitName.Parse(split).ToString(),
        };
        var path = IsCsv && Target is not null ? $"{Path}#{Target}" : Path;
        return new DataSpec(Name, path, name);
    }

    /// <summary>The reference a <see cref="DataSpec"/> was made from (the inverse of <see cref="ToDataSpec"/>).</summary>
    public static DataSetReference FromDataSpec(DataSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.Equals(spec.Name, "csv", StringComparison.OrdinalIgnoreCase) && spec.Path is not null)
        {
            var (file, target) = StandardDataSets.ParseCsvPath(spec.Path);
            return new DataSetReference("csv", file, target);
        }

        return new DataSetReference(spec.Name, spec.Path);
    }

    /// <inheritdoc />
    public override string ToString() => IsInMemory ? "in-memory samples" : IsCsv ? $"csv {Path} (target {Target ?? "last column"})" : Path is null ? Name : $"{Name} ({Path})";
}
