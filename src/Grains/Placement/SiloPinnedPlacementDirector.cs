using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace DistTrain.Grains.Placement;

/// <summary>Places a <see cref="SiloPinnedPlacement"/> grain on the silo its key names, or fails when that silo is not in the cluster.</summary>
internal sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString()!;
        SiloAddress silo = SiloPinnedKey.SiloOf(key);
        SiloAddress[] compatible = context.GetCompatibleSilos(target);
        if (!compatible.Contains(silo))
        {
            throw new SiloUnavailableException($"Grain '{target.GrainIdentity}' is pinned to silo {silo}, which is not an active member of the cluster.");
        }

        return Task.FromResult(silo);
    }
}
