using System.Globalization;

namespace DistTrain.Silo.Data;

/// <summary>
/// A split of a data set as a run names it, TFDS style: <c>train</c>, <c>test</c>, or a
/// contiguous percentage range of one, <c>train[:90%]</c> (the first 90%) and
/// <c>train[90%:]</c> (the rest). Ranges cut at ⌊count·p⌋, the point Keras'
/// <c>validation_split</c> uses, so <c>train[:90%]</c> and <c>train[90%:]</c> are
/// <see cref="Kernels.Data.DataSplit.ValidationSplit"/>'s two halves.
/// </summary>
/// <param name="Name">The base split, <c>train</c> or <c>test</c>.</param>
/// <param name="From">Start of the range as a fraction in [0, 1].</param>
/// <param name="To">End of the range as a fraction in [0, 1].</param>
public sealed record DataSplitName(string Name, double From = 0, double To = 1)
{
    /// <summary>True when the whole split is meant.</summary>
    public bool IsWhole => From == 0 && To == 1;

    /// <summary>The names a run's training and validation splits get for a validation fraction.</summary>
    public static (string Train, string Validation) ForValidation(double validationFraction)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in (0, 1).");
        }

        var percent = Math.Round((1 - validationFraction) * 100, 6).ToString(CultureInfo.InvariantCulture);
        return ($"train[:{percent}%]", $"train[{percent}%:]");
    }

    /// <summary>Parses a split name; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static DataSplitName Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var open = text.IndexOf('[', StringComparison.Ordinal);
        var name = (open < 0 ? text : text[..open]).Trim().ToLowerInvariant();
        if (name is not ("train" or "test"))
        {
            throw new FormatException($"Split '{text}': expected train or test, optionally with a range such as train[:90%].");
        }

        if (open < 0)
        {
            return new DataSplitName(name);
        }

        var close = text.IndexOf(']', open);
        var colon = close < 0 ? -1 : text.IndexOf(':', open, close - open);
        if (close != text.Length - 1 || colon < 0)
        {
            throw new FormatException($"Split '{text}': a range is written [from%:to%], either end optional.");
        }

        var from = Percent(text[(open + 1)..colon], 0, text);
        var to = Percent(text[(colon + 1)..close], 1, text);
        if (from > to)
        {
            throw new FormatException($"Split '{text}': the range starts after it ends.");
        }

        return new DataSplitName(name, from, to);
    }

    /// <summary>The sample range [start, end) of this split in a base split of <paramref name="count"/> samples.</summary>
    public (int Start, int End) Range(int count) =>
        ((int)Math.Floor(count * From), (int)Math.Floor(count * To));

    /// <inheritdoc />
    public override string ToString() => IsWhole ? Name
        : $"{Name}[{(From == 0 ? string.Empty : Format(From))}:{(To == 1 ? string.Empty : Format(To))}]";

    private static string Format(double fraction) => Math.Round(fraction * 100, 6).ToString(CultureInfo.InvariantCulture) + "%";

    private static double Percent(string text, double empty, string whole)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return empty;
        }

        if (!text.EndsWith('%') || !double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) || percent is < 0 or > 100)
        {
            throw new FormatException($"Split '{whole}': '{text}' is not a percentage between 0% and 100%.");
        }

        return percent / 100;
    }
}
