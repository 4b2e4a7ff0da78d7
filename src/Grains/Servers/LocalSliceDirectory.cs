using System.Collections.Concurrent;

namespace DistTrain.Grains.Servers;

/// <summary>
/// The parameter-server slices active in this silo, so that a worker of the same silo can copy
/// the weights of a step straight from the slice's memory instead of asking for them in a grain
/// call (which costs a 2 MB payload allocation, two copies and two thread hops per step).
/// </summary>
/// <remarks>
/// A worker uses it only for the exact version the step needs and falls back to
/// <see cref="IParameterServerGrain.Read"/> otherwise, so what it computes never depends on
/// whether the slice is local. A singleton per silo (see <see cref="DistTrainGrainsExtensions"/>).
/// </remarks>
internal sealed class LocalSliceDirectory
{
    private readonly ConcurrentDictionary<string, LocalSlice> _slices = new(StringComparer.Ordinal);

    /// <summary>Makes <paramref name="slice"/> the readable state of the slice grain <paramref name="key"/>.</summary>
    public void Publish(string key, LocalSlice slice) => _slices[key] = slice;

    /// <summary>Removes <paramref name="slice"/> if it is still the one published for <paramref name="key"/>.</summary>
    public void Withdraw(string key, LocalSlice slice) => _slices.TryRemove(KeyValuePair.Create(key, slice));

    /// <summary>
    /// Copies the weights of version <paramref name="version"/> of run <paramref name="runId"/>
    /// held by slice <paramref name="key"/> into <paramref name="destination"/> (the slice's
    /// length); false when the slice is not in this silo or holds another run or version.
    /// </summary>
    public bool TryRead(string key, string runId, long version, Span<float> destination) =>
        _slices.TryGetValue(key, out LocalSlice? slice) && slice.TryRead(runId, version, destination);
}
