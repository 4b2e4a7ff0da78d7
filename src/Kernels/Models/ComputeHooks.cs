namespace DistTrain.Kernels.Models;

/// <summary>
/// Callbacks into a <see cref="ModelReplica"/>'s step, so that a distributed worker can move
/// data while the step computes: wait for a layer's weights just before its forward, and send
/// a layer's gradient as soon as its backward has produced it (the last layer first). They
/// run on the computing thread, in order; they must not touch the replica.
/// </summary>
public sealed class ComputeHooks
{
    /// <summary>
    /// Called before layer <c>l</c>'s forward with its parameter range
    /// <c>[offset, offset + count)</c> in the flat layout (count may be 0): the weights there
    /// must be in place when it returns.
    /// </summary>
    public Action<int, int, int>? BeforeForward { get; init; }

    /// <summary>
    /// Called when the parameter range <c>[offset, offset + count)</c> of every partial sum
    /// (<see cref="DeviceGradients.Partials"/>, whose buffers are handed over in
    /// <see cref="Partials"/> before the backward starts) is final: layer <c>l</c>'s gradient,
    /// reported in backward order (last layer first), once per layer with parameters.
    /// </summary>
    public Action<int, int, int>? GradientReady { get; init; }

    /// <summary>Called once, before the backward, with the partial-sum buffers that <see cref="GradientReady"/> ranges refer to.</summary>
    public Action<IReadOnlyList<DevicePartialGradient>>? Partials { get; init; }
}
