namespace DistTrain.Grains;

/// <summary>
/// Measures the link between two silos with the same grain messages that carry weights and
/// gradients (key: the silo's address, like <see cref="IDeviceRegistryGrain"/>; it only runs
/// on that silo). A diagnostic for <c>bench wire</c> and for checking a cluster's network.
/// </summary>
public interface ILinkProbeGrain : IGrainWithStringKey
{
    /// <summary>Takes a payload and returns its length (the receiving end of <see cref="SendTo"/>).</summary>
    Task<int> Receive(byte[] payload);

    /// <summary>Returns <paramref name="bytes"/> bytes (the sending end of <see cref="FetchFrom"/>).</summary>
    Task<byte[]> Send(int bytes);

    /// <summary>
    /// Sends <paramref name="bytes"/> bytes to the probe of silo <paramref name="target"/> in
    /// <paramref name="chunks"/> parallel calls, <paramref name="repeats"/> times; milliseconds per repeat.
    /// </summary>
    Task<double[]> SendTo(string target, int bytes, int chunks, int repeats);

    /// <summary>Fetches <paramref name="bytes"/> bytes from the probe of silo <paramref name="target"/> in <paramref name="chunks"/> parallel calls, <paramref name="repeats"/> times; milliseconds per repeat.</summary>
    Task<double[]> FetchFrom(string target, int bytes, int chunks, int repeats);

    /// <summary>Keeps one thread of this silo busy for <paramref name="milliseconds"/> (a stand-in for a worker's compute while the link is measured).</summary>
    Task Spin(int milliseconds);
}
