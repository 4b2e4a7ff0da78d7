using DistTrain.Kernels.Backends;

namespace DistTrain.Grains.Servers;

/// <summary>
/// A slice's weights as other grains of its silo may read them: the buffer, its version, and
/// a lock that the slice holds while it changes them (apply, write, release) and a reader holds
/// while it copies, so a reader never sees a half-updated or freed buffer.
/// </summary>
internal sealed class LocalSlice(string runId, DeviceBuffer weights, long version)
{
    private readonly Lock _gate = new();
    private long _version = version;
    private bool _closed;

    /// <summary>Runs <paramref name="change"/> on the weights under the lock, then sets the version.</summary>
    public void Change(Action change, long newVersion)
    {
        lock (_gate)
        {
            change();
            _version = newVersion;
        }
    }

    /// <summary>No reads after this returns (the slice is about to free the buffer).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    /// <summary>Copies the weights when they are version <paramref name="version"/> of run <paramref name="run"/>.</summary>
    public bool TryRead(string run, long version, Span<float> destination)
    {
        lock (_gate)
        {
            if (_closed || _version != version || destination.Length != weights.Length || !string.Equals(run, runId, StringComparison.Ordinal))
            {
                return false;
            }

            weights.Download(destination);
            return true;
        }
    }
}
