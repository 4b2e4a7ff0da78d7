namespace DistTrain.Grains;

/// <summary>A compute device of a silo and the worker grain that drives it.</summary>
/// <param name="WorkerKey">Key of the <see cref="IWorkerGrain"/> pinned to this device.</param>
/// <param name="Silo">The silo owning the device.</param>
/// <param name="DeviceId">The device's id on that silo (for example <c>cpu:0</c> or <c>cuda:1</c>).</param>
/// <param name="Description">What the device is, for people.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.DeviceInfo")]
public sealed record DeviceInfo(
    [property: Id(0)] string WorkerKey,
    [property: Id(1)] string Silo,
    [property: Id(2)] string DeviceId,
    [property: Id(3)] string Description);
