using Orleans.Runtime;

namespace DistTrain.Grains.Placement;

/// <summary>
/// Places a grain on the silo named in its key (<c>{silo}</c> or <c>{silo}/{device}</c>,
/// the silo written with <see cref="SiloAddress.ToParsableString"/>) and nowhere else.
/// </summary>
/// <remarks>
/// A worker drives a device that only its silo has, so it must never be activated
/// elsewhere — not by the default placement, and not when its silo dies. Orleans'
/// <c>PreferLocalPlacement</c> only prefers the caller's silo, and a placement hint only
/// applies to the first activation; this strategy decides from the key alone, so every
/// activation (first or after a failure) goes to that silo. When that silo is gone (the
/// address carries the silo's generation, so a restarted silo is a different silo), the
/// placement fails and so does the call: the coordinator then re-plans the step over the
/// workers that are still alive.
/// </remarks>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("DistTrain.SiloPinnedPlacement")]
public sealed class SiloPinnedPlacement : PlacementStrategy
{
    /// <summary>The strategy (it has no settings).</summary>
    public static readonly SiloPinnedPlacement Instance = new();
}
