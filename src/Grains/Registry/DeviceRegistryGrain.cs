using DistTrain.Grains.Devices;
using DistTrain.Grains.Placement;
using Orleans.Runtime;

namespace DistTrain.Grains.Registry;

/// <summary>
/// Lists the devices of the silo named by its key and hands out the keys of their workers.
/// Pinned to that silo (<see cref="SiloPinnedPlacementAttribute"/>) so it answers from the
/// silo's own <see cref="ComputeDeviceCatalog"/>.
/// </summary>
[SiloPinnedPlacement]
internal sealed class DeviceRegistryGrain(ComputeDeviceCatalog devices, ILocalSiloDetails silo, Plugins.SiloLayerTypes layerTypes) : Grain, IDeviceRegistryGrain
{
    /// <inheritdoc />
    public Task<IReadOnlyList<DeviceInfo>> GetDevices()
    {
        SiloAddress self = silo.SiloAddress;
        IReadOnlyList<DeviceInfo> list =
        [
            .. devices.Devices.Select(d => new DeviceInfo(SiloPinnedKey.For(self, d.Id), self.ToParsableString(), d.Id, d.Description)),
        ];
        return Task.FromResult(list);
    }

    /// <inheritdoc />
    public Task CheckModel(string modelSpecJson)
    {
        try
        {
            var spec = Kernels.Models.ModelSpec.FromJson(modelSpecJson, layerTypes.Resolver);
            foreach (var layer in spec.CreateLayers())
            {
                layer.Dispose();
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // An exception type every caller can deserialise, with the silo's own message.
            throw new InvalidOperationException($"Silo {silo.SiloAddress.ToParsableString()} cannot build the run's model: {e.Message}");
        }

        return Task.CompletedTask;
    }
}
