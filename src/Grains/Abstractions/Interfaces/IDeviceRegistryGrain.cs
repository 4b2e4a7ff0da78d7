namespace DistTrain.Grains;

/// <summary>
/// The compute devices of one silo (key: the silo's address) and the keys of the worker
/// grains that drive them. Like the workers, it only ever runs on that silo.
/// </summary>
public interface IDeviceRegistryGrain : IGrainWithStringKey
{
    /// <summary>The silo's devices, in device order.</summary>
    Task<IReadOnlyList<DeviceInfo>> GetDevices();

    /// <summary>
    /// Reads a run's model spec and builds its layers as this silo's workers would (custom
    /// layer types from the silo's plugin folder); throws an <see cref="InvalidOperationException"/>
    /// naming the silo and what is missing when it cannot.
    /// </summary>
    Task CheckModel(string modelSpecJson);
}
