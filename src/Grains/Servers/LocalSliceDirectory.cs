using System.Collections.Concurrent;
using DistTrain.Kernels.Backends;

namespace DistTrain.Grains.Servers;

/// <summary>
/// The parameter-server slices active in this silo, so that a worker of the same silo can take
/// the weights of a step straight from the slice's memory (borrowed for its compute, or copied),
/// and lend it a whole-step gradient sum the same way, instead of grain calls with 2 MB payloads
/// (an allocation, two copies and two thread hops each).
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

    /// <summary>Whether slice <paramref name="key"/> is published in this silo (its weights and gradients need no network).</summary>
    public bool Contains(string key) => _slices.ContainsKey(key);

    /// <summary>
    /// Copies the weights of version <paramref name="version"/> of run <paramref name="runId"/>
    /// held by slice <paramref name="key"/> into <paramref name="destination"/> (host memory of
    /// the slice's length); false when the slice is not in this silo or holds another run or version.
    /// </summary>
    public bool TryCopyWeights(string key, string runId, long version, BufferSpan destination) =>
        _slices.TryGetValue(key, out LocalSlice? slice) && slice.TryCopyWeights(runId, version, destination);

    /// <summary>Completes when slice <paramref name="key"/> of this silo reaches <paramref name="version"/> (see <see cref="LocalSlice.WhenAt"/>); null if it is not here.</summary>
    public Task? WhenAt(string key, long version) =>
        _slices.TryGetValue(key, out LocalSlice? slice) ? slice.WhenAt(version) : null;

    /// <summary>Copies weights of slice <paramref name="key"/> at its current version (see <see cref="LocalSlice.TryReadWeights"/>); false if it is not here.</summary>
    public bool TryReadWeights(string key, int offset, Span<float> destination, out long version)
    {
        version = -1;
        return _slices.TryGetValue(key, out LocalSlice? slice) && slice.TryReadWeights(offset, destination, out version);
    }

    /// <summary>
    /// Lends the weights of version <paramref name="version"/> of run <paramref name="runId"/>
    /// held by slice <paramref name="key"/> for one compute (see <see cref="LocalSlice.TryBorrowWeights"/>);
    /// null when the slice is not in this silo or holds another run or version.
    /// </summary>
    public LocalSlice.WeightsLoan? TryBorrowWeights(string key, string runId, long version) =>
        _slices.TryGetValue(key, out LocalSlice? slice) ? slice.TryBorrowWeights(runId, version) : null;

    /// <summary>
    /// Lends slice <paramref name="key"/> the whole-step gradient sum of <paramref name="step"/>
    /// (see <see cref="LocalSlice.TryLendRoot"/>); returns the slice that took it, to
    /// <see cref="LocalSlice.Reclaim"/> it from, or null when it must be pushed instead.
    /// </summary>
    public LocalSlice? TryLendRoot(string key, string runId, long step, BufferSpan source, object lender) =>
        _slices.TryGetValue(key, out LocalSlice? slice) && slice.TryLendRoot(runId, step, source, lender) ? slice : null;
}
