namespace DistTrain.Grains.Devices;

/// <summary>
/// The compute devices this silo offers to workers, found at start-up by the silo host
/// (one <see cref="IWorkerGrain"/> per device), and the engine the parameter server uses.
/// </summary>
public sealed class ComputeDeviceCatalog
{
    /// <summary>Creates the catalog; device ids must be unique.</summary>
    public ComputeDeviceCatalog(IEnumerable<ComputeDevice> devices, ComputeDevice server)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(server);
        Devices = [.. devices];
        var duplicate = Devices.GroupBy(d => d.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Device id '{duplicate.Key}' is listed more than once.", nameof(devices));
        }

        if (Devices.Any(d => d.Id.Contains('/', StringComparison.Ordinal)))
        {
            throw new ArgumentException("Device ids must not contain '/'.", nameof(devices));
        }

        Server = server;
    }

    /// <summary>The devices workers drive, in order.</summary>
    public IReadOnlyList<ComputeDevice> Devices { get; }

    /// <summary>
    /// The engine of the parameter-server slices on this silo. Its optimiser update must be
    /// the local loop's (bit-identical results), so it is the CPU engine by default.
    /// </summary>
    public ComputeDevice Server { get; }

    /// <summary>The device with id <paramref name="id"/>.</summary>
    public ComputeDevice Get(string id) =>
        Devices.FirstOrDefault(d => d.Id == id)
        ?? throw new KeyNotFoundException($"This silo has no device '{id}'; it has {string.Join(", ", Devices.Select(d => d.Id))}.");
}
