using DistTrain.Grains;
using DistTrain.Grains.Data;
using DistTrain.Grains.Security;
using DistTrain.Kernels.Data;

namespace DistTrain.Silo.Data;

/// <summary>
/// The silo's <see cref="IDataSetProvider"/>: resolves a spec's <see cref="DataSpec.Path"/>
/// under the allowed <see cref="DataPathOptions.Roots"/> (refusing anything outside with an
/// <see cref="ArgumentException"/>) before the inner provider loads it. Coordinators and
/// workers both read data through it, so no grain call reads a file outside the roots.
/// </summary>
public sealed class RootedDataSetProvider(IDataSetProvider inner, IReadOnlyList<string> roots) : IDataSetProvider
{
    private const string Setting = DataPathOptions.SectionName + ":" + nameof(DataPathOptions.Roots);

    /// <inheritdoc />
    public IDataSet Get(DataSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return inner.Get(Confine(spec, roots));
    }

    /// <summary><paramref name="spec"/> with its path resolved under <paramref name="allowed"/> (a CSV path keeps its <c>#target</c>).</summary>
    public static DataSpec Confine(DataSpec spec, IReadOnlyList<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Path is null)
        {
            return spec;
        }

        string what = $"The path of data set '{spec.Name}'";
        if (string.Equals(spec.Name, "csv", StringComparison.OrdinalIgnoreCase))
        {
            var (file, target) = StandardDataSets.ParseCsvPath(spec.Path);
            string resolved = PathRoots.Resolve(file, allowed, what, Setting);
            return spec with { Path = target is null ? resolved : $"{resolved}#{target}" };
        }

        return spec with { Path = PathRoots.Resolve(spec.Path, allowed, what, Setting) };
    }
}
