using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace DistTrain.Grains.Placement;

/// <summary>
/// Places a parameter-server slice on the silo its coordinator chose for it (its "home": one
/// slice per silo with workers, so no single silo carries every byte), named in the request
/// context of the call that activates it (<see cref="SliceHome"/>). When the home is not an
/// active silo, or the call names none (a worker's call to a slice that is gone), the slice is
/// placed beside the caller, as <c>PreferLocalPlacement</c> would.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("DistTrain.SliceHomePlacement")]
public sealed class SliceHomePlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static readonly SliceHomePlacement Instance = new();
}

/// <summary>Marks a grain class as placed by <see cref="SliceHomePlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SliceHomePlacementAttribute() : PlacementAttribute(SliceHomePlacement.Instance);

/// <summary>The home silo a coordinator names for the slice it calls next (request context, read at placement).</summary>
public static class SliceHome
{
    private const string Key = "disttrain.slice-home";

    /// <summary>Names <paramref name="silo"/> (a parsable silo address) as the home of the slice called next on this async flow; null clears it.</summary>
    public static void Set(string? silo)
    {
        if (silo is null)
        {
            RequestContext.Remove(Key);
        }
        else
        {
            RequestContext.Set(Key, silo);
        }
    }

    /// <summary>The home named in a placement request's context, if any.</summary>
    internal static SiloAddress? Of(PlacementTarget target)
    {
        if (target.RequestContextData is { } data && data.TryGetValue(Key, out object? value) && value is string text)
        {
            try
            {
                return SiloAddress.FromParsableString(text);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
            {
                return null;
            }
        }

        return null;
    }
}

/// <summary>Director of <see cref="SliceHomePlacement"/>.</summary>
internal sealed class SliceHomePlacementDirector : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        SiloAddress[] compatible = context.GetCompatibleSilos(target);
        if (SliceHome.Of(target) is { } home && compatible.Contains(home))
        {
            return Task.FromResult(home);
        }

        if (compatible.Contains(context.LocalSilo))
        {
            return Task.FromResult(context.LocalSilo);
        }

        return compatible.Length > 0
            ? Task.FromResult(compatible[Random.Shared.Next(compatible.Length)])
            : throw new SiloUnavailableException($"No active silo can host parameter-server slice '{target.GrainIdentity}'.");
    }
}
