namespace DistTrain.Grains.Plugins;

/// <summary>
/// Where a silo finds the assemblies of users' custom layers (section <c>DistTrain:Plugins</c>):
/// every managed assembly in <see cref="Path"/> is loaded when the silo starts, and the
/// <c>"custom"</c> layers of run specs are looked up there (then in the silo's own process).
/// </summary>
public sealed class PluginOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "DistTrain:Plugins";

    /// <summary>The configuration key of <see cref="Path"/>, as error messages name it.</summary>
    public const string PathKey = SectionName + ":" + nameof(Path);

    /// <summary>
    /// A folder of plugin assemblies (a custom layer's build or publish output; not searched
    /// recursively); relative to the silo's working directory. Null or empty: no plugins.
    /// </summary>
    public string? Path { get; set; }
}
