using System.Reflection;
using System.Runtime.Loader;
using TapeLayer = DistTrain.Kernels.Tensors.Layers.Layer;

namespace DistTrain.Kernels.Models;

/// <summary>
/// Finds the user layer type a <see cref="CustomLayerSpec"/> names: among the assemblies of a
/// plugin folder (<see cref="FromFolder"/>, each loaded into one <see cref="AssemblyLoadContext"/>
/// that shares DistTrain.Kernels and every other assembly of the host with the default context,
/// so the user's <c>Layer</c> subclass derives from the host's own <c>Layer</c>), then, unless
/// told not to, among the assemblies of the default context (a user's own program, the embedded
/// cluster). A name is <c>Namespace.Type, Assembly</c> (versions are ignored) or a full name alone.
/// </summary>
public sealed class LayerTypeResolver
{
    private readonly Assembly[] _plugins;
    private readonly bool _searchDefaultContext;

    /// <summary>Creates a resolver over <paramref name="plugins"/> (searched first) and, when <paramref name="searchDefaultContext"/>, the default context.</summary>
    /// <param name="plugins">Assemblies searched first, in order.</param>
    /// <param name="searchDefaultContext">Whether the default load context's assemblies are searched too.</param>
    /// <param name="where">Where this resolver looks, for the not-found message (for example "on silo S127.0.0.1:11111:0 (plugin folder '/opt/plugins', configuration key DistTrain:Plugins:Path)").</param>
    public LayerTypeResolver(IEnumerable<Assembly> plugins, bool searchDefaultContext = true, string? where = null)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        _plugins = [.. plugins];
        _searchDefaultContext = searchDefaultContext;
        Where = where ?? "in this process (the assemblies loaded into it; LayerTypeResolver.FromFolder loads a plugin folder)";
    }

    /// <summary>
    /// The resolver of specs read without one: the assemblies of the default context (a user's
    /// own program). A program that reads specs of plugin layers it does not reference (the
    /// console with <c>--plugins</c>) sets it to a <see cref="FromFolder"/> resolver at start.
    /// </summary>
    public static LayerTypeResolver Default { get; set; } = new([]);

    /// <summary>The plugin assemblies, searched first.</summary>
    public IReadOnlyList<Assembly> PluginAssemblies => _plugins;

    /// <summary>Where this resolver looks, as the not-found message says it.</summary>
    public string Where { get; }

    /// <summary>
    /// Loads every managed assembly of <paramref name="folder"/> (not its sub-folders) that the
    /// host does not already have into a new load context, and returns a resolver that searches
    /// them (then the default context unless <paramref name="searchDefaultContext"/> is false).
    /// Assemblies the host has (DistTrain.Kernels copied next to the plugin, System.*) are the host's.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static LayerTypeResolver FromFolder(string folder, bool searchDefaultContext = true, string? where = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"The plugin folder '{full}' does not exist.");
        }

        var context = new PluginLoadContext(full);
        var loaded = new List<Assembly>();
        foreach (string file in Directory.EnumerateFiles(full, "*.dll").Order(StringComparer.Ordinal))
        {
            AssemblyName name;
            try
            {
                name = AssemblyName.GetAssemblyName(file);
            }
            catch (BadImageFormatException)
            {
                continue; // a native library beside the plugin
            }

            if (!PluginLoadContext.IsHostAssembly(name))
            {
                loaded.Add(context.LoadFromAssemblyPath(file));
            }
        }

        return new LayerTypeResolver(loaded, searchDefaultContext, where ?? $"in the plugin folder '{full}'");
    }

    /// <summary>The layer type named <paramref name="typeName"/>; throws an <see cref="ArgumentException"/> saying where it looked.</summary>
    public Type Resolve(string typeName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        Type? type;
        try
        {
            type = Type.GetType(typeName, FindAssembly, FindType, throwOnError: false);
        }
        catch (Exception e) when (e is FileLoadException or BadImageFormatException or TypeLoadException or AmbiguousMatchException)
        {
            throw new ArgumentException($"Custom layer type '{typeName}' could not be loaded {Where}: {e.Message}", e);
        }

        if (type is null)
        {
            var searched = new List<string>();
            if (_plugins.Length > 0)
            {
                searched.Add($"the plugin assemblies ({string.Join(", ", _plugins.Select(a => a.GetName().Name))})");
            }

            if (_searchDefaultContext)
            {
                searched.Add("the assemblies of the process");
            }

            string what = searched.Count > 0 ? string.Join(" and ", searched) : "no assemblies (no plugin is loaded)";
            throw new ArgumentException($"Custom layer type '{typeName}' was not found {Where}; searched {what}.");
        }

        if (!typeof(TapeLayer).IsAssignableFrom(type))
        {
            Type? foreign = BaseNamed(type, typeof(TapeLayer).FullName!);
            throw new ArgumentException(foreign is not null
                ? $"Custom layer type '{typeName}' derives from a {typeof(TapeLayer).FullName} of another copy of {foreign.Assembly.GetName().Name} ({foreign.Assembly.Location}), not this process's ({typeof(TapeLayer).Assembly.Location}); load it through a plugin folder, which shares the host's DistTrain.Kernels."
                : $"Custom layer type '{typeName}' ({type.AssemblyQualifiedName}) does not derive from {typeof(TapeLayer).FullName}.");
        }

        if (type.IsAbstract || type.ContainsGenericParameters)
        {
            throw new ArgumentException($"Custom layer type '{typeName}' is abstract or an open generic type; name a concrete layer class.");
        }

        return type;
    }

    private static Type? BaseNamed(Type type, string fullName)
    {
        for (Type? t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.FullName == fullName)
            {
                return t;
            }
        }

        return null;
    }

    private IEnumerable<Assembly> Searched() =>
        _searchDefaultContext ? _plugins.Concat(AssemblyLoadContext.Default.Assemblies.Where(a => !_plugins.Contains(a))) : _plugins;

    private Assembly? FindAssembly(AssemblyName name)
    {
        Assembly? found = Searched().FirstOrDefault(a => string.Equals(a.GetName().Name, name.Name, StringComparison.OrdinalIgnoreCase));
        if (found is not null || !_searchDefaultContext)
        {
            return found;
        }

        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(name.Name!)); // an assembly of the application not loaded yet
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private Type? FindType(Assembly? assembly, string name, bool ignoreCase)
    {
        if (assembly is not null)
        {
            return assembly.GetType(name, throwOnError: false, ignoreCase);
        }

        var matches = Searched().Select(a => a.GetType(name, throwOnError: false, ignoreCase)).OfType<Type>().Distinct().ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new AmbiguousMatchException($"'{name}' is defined by several assemblies ({string.Join(", ", matches.Select(t => t.Assembly.GetName().Name))}); name the assembly too ('{name}, AssemblyName')."),
        };
    }

    /// <summary>
    /// Loads a plugin folder's assemblies. Anything the host can load itself (its own
    /// assemblies and the framework's) comes from the default context, so there is one
    /// DistTrain.Kernels and one <c>Layer</c> type; the rest comes from the folder.
    /// </summary>
    private sealed class PluginLoadContext(string folder) : AssemblyLoadContext($"DistTrain plugins {folder}")
    {
        private static readonly Lazy<HashSet<string>> s_trusted = new(() =>
            [.. ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(Path.GetFileNameWithoutExtension)
                .OfType<string>()]);

        public static bool IsHostAssembly(AssemblyName name) =>
            name.Name is { } simple
            && (s_trusted.Value.Contains(simple) || Default.Assemblies.Any(a => string.Equals(a.GetName().Name, simple, StringComparison.OrdinalIgnoreCase)));

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (IsHostAssembly(assemblyName))
            {
                return null; // the default context's copy
            }

            string candidate = Path.Combine(folder, assemblyName.Name + ".dll");
            return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
        }
    }
}
