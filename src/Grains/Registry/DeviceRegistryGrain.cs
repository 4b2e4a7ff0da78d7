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
internal sealed class DeviceRegistryGrain(ComputeDeviceCatalog devices, ILocalSiloDetails silo) : Grain, IDeviceRegistryGrain
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
}
