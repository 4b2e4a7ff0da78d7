namespace DistTrain.Grains;

/// <summary>
/// The compute devices of one silo (key: the silo's address) and the keys of the worker
/// grains that drive them. Like the workers, it only ever runs on that silo.
/// </summary>
public interface IDeviceRegistryGrain : IGrainWithStringKey
{
    /// <summary>The silo's devices, in device order.</summary>
    Task<IReadOnlyList<DeviceInfo>> GetDevices();
}
