using DistTrain.Kernels.Data;

namespace DistTrain.Silo.Data;

/// <summary>
/// Where the data a run spec names may come from (section <c>DistTrain:Data</c>): a
/// <see cref="Grains.DataSpec.Path"/> (a data-set cache directory or a CSV file) must lie under one of
/// <see cref="Roots"/>, relative paths being taken below the first.
/// </summary>
public sealed class DataPathOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "DistTrain:Data";

    /// <summary>Allowed directories; empty allows only the silo's data-set cache (<c>$DISTTRAIN_DATA</c> or <c>~/.disttrain/datasets</c>).</summary>
    public string[] Roots { get; set; } = [];

    /// <summary>The roots in force: <see cref="Roots"/>, or the data-set cache alone when none are listed.</summary>
    public IReadOnlyList<string> EffectiveRoots => Roots is { Length: > 0 } roots ? roots : [DataSetCache.DefaultDirectory];
}
