namespace DistTrain.Grains;

/// <summary>
/// Drives one compute device (key: <see cref="DeviceInfo.WorkerKey"/>, which names the
/// silo and the device). It is only ever activated on the silo that owns the device.
/// </summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Computes micro-shards of a step: fetches the weights of that step from the servers
    /// unless already cached, reads its samples from the data source, runs forward and
    /// backward, and pushes one partial sum per micro-shard-tree cover node to every slice.
    /// </summary>
    Task<WorkerStepReport> ComputeStep(WorkerStepRequest request);

    /// <summary>The device this worker drives.</summary>
    Task<DeviceInfo> GetDevice();
}
