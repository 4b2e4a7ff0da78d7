namespace DistTrain.Grains.Runs;

/// <summary>
/// Fences parameter-server slices against a superseded activation of a run's coordinator
/// (Orleans' default grain directory may briefly allow two). Every activation that takes a
/// run over raises <see cref="TrainingRunState.Generation"/> and persists it (a reactivation
/// before it touches the slices; Start and Resume once the slices are restored) and stamps it
/// on the request context of its calls; a slice remembers the highest
/// generation it has seen and rejects calls that change it (configure, write, reduce, apply,
/// release) from a lower one, so an old activation can neither rewind the slices under the
/// new one nor apply a step to weights the new one is restoring.
/// </summary>
internal static class CoordinatorFence
{
    private const string Key = "disttrain.coordinator-generation";

    /// <summary>Marker of the rejection message, so the coordinator can tell it from other failures.</summary>
    public const string SupersededMarker = "superseded by a newer coordinator activation";

    /// <summary>Stamps <paramref name="generation"/> on the calls this flow makes from now on.</summary>
    public static void Stamp(long generation) => RequestContext.Set(Key, generation);

    /// <summary>The generation stamped on the call being served, or null when none (a test harness, a worker).</summary>
    public static long? Current => RequestContext.Get(Key) is long generation ? generation : null;

    /// <summary>Whether <paramref name="exception"/> (or an inner one) says the caller was superseded.</summary>
    public static bool IsSuperseded(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e.Message.Contains(SupersededMarker, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
