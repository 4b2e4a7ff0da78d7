namespace DistTrain.Grains;

/// <summary>
/// Owns a contiguous slice of a run's flat parameter vector (key: <c>{runId}/{slice}</c>):
/// weights, momentum and the partial gradients of the current step. It adds partials in
/// the fixed micro-shard-tree order, so the reduced gradient has the same bits whichever
/// workers computed them.
/// </summary>
public interface IParameterServerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Sets the slice up for a run with zero weights and velocity at the config's step. It serves
    /// nothing (reads, pushes, applies fail; <see cref="GetVersion"/> is null) until <see cref="Seal"/>.
    /// </summary>
    Task Configure(ServerSliceConfig config);

    /// <summary>
    /// Ends the set-up begun by <see cref="Configure"/> once every <see cref="Write"/> has landed:
    /// from now on the slice serves its version. A coordinator that dies in between leaves a slice
    /// that reports no version, so the next one sets it up again instead of training on
    /// half-written weights. Sealing twice changes nothing.
    /// </summary>
    Task Seal();

    /// <summary>The slice's version (steps applied) for <paramref name="runId"/>, or null when it is not set up (and sealed) for that run.</summary>
    Task<long?> GetVersion(string runId);

    /// <summary>
    /// Where workers of other silos reach this slice's reads and pushes without Orleans'
    /// messaging: the tensor link of the silo it is active on, or null when that
    /// silo runs none (then they use <see cref="Read"/> and <see cref="Push"/>).
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<LinkAddress?> GetLink();

    /// <summary>Writes a range of weights or velocity (initial values or a checkpoint), before or after <see cref="Seal"/>.</summary>
    Task Write(ParameterChunk chunk);

    /// <summary>Reads floats <c>[offset, offset + count)</c> of the weights or velocity (at most one chunk).</summary>
    Task<ParameterChunk> Read(ParameterKind kind, int offset, int count);

    /// <summary>
    /// Adds a pushed chunk of a partial gradient. A chunk for another run or step, or one
    /// already received (same step, node and offset), is ignored; returns whether it counted.
    /// </summary>
    Task<bool> Push(GradientChunk chunk);

    /// <summary>
    /// Σ g² over the slice of the reduced gradient sum of <paramref name="step"/>
    /// (the coordinator adds the slices' sums in slice order for the global norm).
    /// Fails when some micro-shards have not arrived.
    /// </summary>
    Task<double> SumOfSquares(long step);

    /// <summary>
    /// Applies <paramref name="step"/> with the global Σ g²: clips, skips a non-finite step,
    /// updates velocity and weights and advances the version. Applying a step already
    /// applied returns the earlier result.
    /// </summary>
    Task<ApplyResult> Apply(long step, double globalSumOfSquares);

    /// <summary>
    /// For a run of one slice, whose Σ g² is the global one: <see cref="SumOfSquares"/> and
    /// <see cref="Apply"/> in one call (one round trip per step fewer). Applying a step
    /// already applied returns the earlier result.
    /// </summary>
    Task<ApplyResult> ApplyAlone(long step);

    /// <summary>Drops the slice's state and deactivates.</summary>
    Task Release();
}
