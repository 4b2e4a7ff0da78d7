using Orleans.Placement;

namespace DistTrain.Grains.Placement;

/// <summary>Marks a grain class as placed by <see cref="SiloPinnedPlacement"/>: on the silo its key names.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPinnedPlacementAttribute() : PlacementAttribute(SiloPinnedPlacement.Instance);
