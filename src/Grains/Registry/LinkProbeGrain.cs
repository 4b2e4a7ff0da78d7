using System.Diagnostics;
using DistTrain.Grains.Placement;

namespace DistTrain.Grains.Registry;

/// <summary>The probe of one silo (<see cref="ILinkProbeGrain"/>); pinned to the silo its key names.</summary>
[SiloPinnedPlacement]
[Orleans.Concurrency.Reentrant]
internal sealed class LinkProbeGrain : Grain, ILinkProbeGrain
{
    private byte[] _payload = [];

    /// <inheritdoc />
    public Task<int> Receive(byte[] payload) => Task.FromResult(payload.Length);

    /// <inheritdoc />
    public Task<byte[]> Send(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (_payload.Length != bytes)
        {
            _payload = new byte[bytes];
        }

        return Task.FromResult(_payload);
    }

    /// <inheritdoc />
    public Task<double[]> SendTo(string target, int bytes, int chunks, int repeats)
    {
        var probe = GrainFactory.GetGrain<ILinkProbeGrain>(target);
        byte[][] parts = [.. Split(bytes, chunks).Select(n => new byte[n])];
        return Time(repeats, () => Task.WhenAll(parts.Select(p => probe.Receive(p))));
    }

    /// <inheritdoc />
    public Task<double[]> FetchFrom(string target, int bytes, int chunks, int repeats)
    {
        var probe = GrainFactory.GetGrain<ILinkProbeGrain>(target);
        int[] parts = [.. Split(bytes, chunks)];
        return Time(repeats, () => Task.WhenAll(parts.Select(n => probe.Send(n))));
    }

    /// <inheritdoc />
    public Task Spin(int milliseconds) => Task.Run(() =>
    {
        // On a thread-pool thread, like a worker's compute; the activation stays free for Receive/Send.
        var clock = Stopwatch.StartNew();
        double x = 1;
        while (clock.ElapsedMilliseconds < milliseconds)
        {
            x = Math.Sqrt(x + 1);
        }

        return x;
    });

    private static IEnumerable<int> Split(int bytes, int chunks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunks);
        for (int i = 0; i < chunks; i++)
        {
            yield return (int)(((long)(i + 1) * bytes / chunks) - ((long)i * bytes / chunks));
        }
    }

    private static async Task<double[]> Time(int repeats, Func<Task> transfer)
    {
        var result = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            await transfer();
            result[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return result;
    }
}
