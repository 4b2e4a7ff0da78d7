using DistTrain.Kernels.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace DistTrain.Grains.Plugins;

/// <summary>
/// This silo's custom layer types: the assemblies of <see cref="PluginOptions.Path"/>, loaded
/// when the silo starts (a missing folder stops the start, naming the key), then the process's
/// own. Coordinators and workers read run specs through <see cref="Resolver"/>, so a type
/// that is missing here fails with a message naming the type, this silo and the key.
/// </summary>
public sealed partial class SiloLayerTypes : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly Lazy<LayerTypeResolver> _resolver;
    private readonly ILogger<SiloLayerTypes> _logger;

    /// <summary>Creates the service; the folder is loaded at silo start (or first use).</summary>
    public SiloLayerTypes(IOptions<PluginOptions> options, ILocalSiloDetails silo, ILogger<SiloLayerTypes> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(silo);
        _logger = logger;
        string? path = options.Value.Path;
        string address = silo.SiloAddress.ToParsableString();
        _resolver = new Lazy<LayerTypeResolver>(() => Load(path, address));
    }

    /// <summary>The resolver of this silo's run specs.</summary>
    public LayerTypeResolver Resolver => _resolver.Value;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(SiloLayerTypes), ServiceLifecycleStage.RuntimeInitialize, _ =>
        {
            GC.KeepAlive(Resolver); // load the folder now: a bad path stops the silo's start
            return Task.CompletedTask;
        });
    }

    private LayerTypeResolver Load(string? path, string address)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return new LayerTypeResolver([], where: $"on silo {address} (no plugin folder: set {PluginOptions.PathKey} to a folder holding the layer's assembly, on every silo)");
        }

        string full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw new OptionsValidationException(PluginOptions.SectionName, typeof(PluginOptions), [$"{PluginOptions.PathKey}: the plugin folder '{full}' does not exist."]);
        }

        var resolver = LayerTypeResolver.FromFolder(full, where: $"on silo {address} (plugin folder '{full}', configuration key {PluginOptions.PathKey})");
        LogLoaded(full, resolver.PluginAssemblies.Count, string.Join(", ", resolver.PluginAssemblies.Select(a => a.GetName().Name)));
        return resolver;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin folder {Folder}: {Count} assemblies loaded ({Assemblies})")]
    private partial void LogLoaded(string folder, int count, string assemblies);
}
