using DistTrain.Grains.Data;
using DistTrain.Grains.Placement;
using DistTrain.Grains.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using Orleans.Runtime;

namespace DistTrain.Grains;

/// <summary>Registers what the DistTrain grains need in a silo (the host adds storage, clustering and devices).</summary>
public static class DistTrainGrainsExtensions
{
    /// <summary>
    /// Adds the silo-pinned placement of workers, the data-set provider (unless one is already
    /// registered), the directory of this silo's parameter-server slices, the tensor link (listener and connections; <see cref="Link.TensorLinkOptions"/>, mutual TLS when a <see cref="Link.TensorLinkSecurity"/> is registered) the coordinator and plugin options (the host binds them to configuration) and the silo's custom layer types (<see cref="Plugins.SiloLayerTypes"/>).
    /// The silo must also register a <see cref="Devices.ComputeDeviceCatalog"/> and a grain storage
    /// named <see cref="DistTrainStorage.Name"/>, and a reminder service.
    /// </summary>
    public static ISiloBuilder AddDistTrainGrains(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        builder.Services.AddPlacementDirector<SliceHomePlacement, SliceHomePlacementDirector>();
        builder.Services.TryAddSingleton<IDataSetProvider, DataSetProvider>();
        builder.Services.TryAddSingleton<Servers.LocalSliceDirectory>();
        builder.Services.AddOptions<CoordinatorOptions>();
        builder.Services.AddOptions<Plugins.PluginOptions>();
        if (!builder.Services.Any(d => d.ServiceType == typeof(Plugins.SiloLayerTypes)))
        {
            builder.Services.AddSingleton<Plugins.SiloLayerTypes>();
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Plugins.SiloLayerTypes>());
        }

        builder.Services.AddOptions<Link.TensorLinkOptions>();
        if (!builder.Services.Any(d => d.ServiceType == typeof(Link.TensorLinkServer)))
        {
            builder.Services.AddSingleton<Link.TensorLinkServer>();
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Link.TensorLinkServer>());
            builder.Services.AddSingleton<Link.TensorLinkClient>();
        }
        return builder;
    }
}
