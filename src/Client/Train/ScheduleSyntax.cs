using System.Globalization;
using DistTrain.Grains;

namespace DistTrain.Client.Train;

/// <summary>
/// The <c>--schedule</c> syntax:
/// <c>constant</c>, <c>step:EVERY:FACTOR</c> (lr·FACTOR^⌊s/EVERY⌋),
/// <c>exponential:STEPS:RATE[:staircase]</c> (lr·RATE^(s/STEPS)),
/// <c>cosine[:STEPS[:ALPHA]]</c> (half a cosine from lr down to ALPHA·lr over STEPS steps;
/// STEPS defaults to the whole run). Steps are optimiser steps (global batches).
/// </summary>
public static class ScheduleSyntax
{
    /// <summary>What <c>--help</c> shows for the option.</summary>
    public const string Help = "constant | step:EVERY:FACTOR | exponential:STEPS:RATE[:staircase] | cosine[:STEPS[:ALPHA]]";

    /// <summary>
    /// Parses <paramref name="text"/>; a cosine without STEPS decays over
    /// <paramref name="totalSteps"/>. Throws <see cref="FormatException"/> naming the problem.
    /// </summary>
    public static ScheduleSettings Parse(string text, long warmupSteps, long totalSteps)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split(':');
        var settings = parts[0] switch
        {
            "constant" when parts.Length == 1 => new ScheduleSettings(ScheduleKind.Constant),
            "step" when parts.Length == 3 => new ScheduleSettings(ScheduleKind.Step, Steps(parts[1], text), Number(parts[2], text)),
            "exponential" when parts.Length is 3 or 4 => new ScheduleSettings(
                ScheduleKind.Exponential,
                Steps(parts[1], text),
                Number(parts[2], text),
                Staircase: parts.Length == 4 && (parts[3] == "staircase" ? true : throw Bad(text))),
            "cosine" when parts.Length <= 3 => new ScheduleSettings(
                ScheduleKind.Cosine,
                parts.Length >= 2 ? Steps(parts[1], text) : Math.Max(1, totalSteps - warmupSteps),
                parts.Length == 3 ? Number(parts[2], text) : 0.0),
            _ => throw Bad(text),
        };
        if (warmupSteps < 0)
        {
            throw new FormatException($"warm-up steps must not be negative, got {warmupSteps}.");
        }

        return settings with { WarmupSteps = warmupSteps };
    }

    private static long Steps(string text, string whole) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var steps) && steps > 0
            ? steps
            : throw new FormatException($"schedule '{whole}': '{text}' is not a positive step count.");

    private static double Number(string text, string whole) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0
            ? value
            : throw new FormatException($"schedule '{whole}': '{text}' is not a non-negative number.");

    private static FormatException Bad(string text) => new($"schedule '{text}' is not one of: {Help}.");
}
