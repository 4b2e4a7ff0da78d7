using System.Collections.Concurrent;
using DistTrain.Kernels.Backends;

namespace DistTrain.Grains.Servers;

/// <summary>
/// The parameter-server slices active in this silo, so that a worker of the same silo can copy
/// the weights of a step straight from the slice's memory, and hand over a whole-step gradient
/// sum the same way, instead of grain calls with 2 MB payloads (an allocation, two copies and
/// two thread hops each).
/// </summary>
/// <remarks>
/// A worker uses it only for the exact version the step needs and falls back to
/// <see cref="IParameterServerGrain.Read"/> and <see cref="IParameterServerGrain.Push"/>
/// otherwise, so what it computes never depends on whether the slice is local. A singleton per silo (see <see cref="DistTrainGrainsExtensions"/>).
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
    /// held by slice <paramref name="key"/> into <paramref name="destination"/> (host memory of
    /// the slice's length); false when the slice is not in this silo or holds another run or version.
    /// </summary>
    public bool TryCopyWeights(string key, string runId, long version, BufferSpan destination) =>
        _slices.TryGetValue(key, out LocalSlice? slice) && slice.TryCopyWeights(runId, version, destination);

    /// <summary>
    /// Hands slice <paramref name="key"/> the whole-step gradient sum of <paramref name="step"/>
    /// (see <see cref="LocalSlice.TryDepositRoot"/>); false when it must be pushed instead.
    /// </summary>
    public bool TryDepositRoot(string key, string runId, long step, BufferSpan source) =>
        _slices.TryGetValue(key, out LocalSlice? slice) && slice.TryDepositRoot(runId, step, source);
}
