namespace DistTrain.Client.Output;

/// <summary>A one-line chart of a series in block characters (▁▂▃▄▅▆▇█), lowest value to highest.</summary>
public static class Sparkline
{
    private const string Bars = "▁▂▃▄▅▆▇█";

    /// <summary>
    /// One character per value, or per group of consecutive values (their mean) when there are
    /// more than <paramref name="width"/>; a non-finite value is a space; a flat series is all ▄.
    /// </summary>
    public static string Of(IReadOnlyList<double> values, int width = 60)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        var columns = values.Count <= width ? values : Group(values, width);
        var finite = columns.Where(double.IsFinite).ToList();
        if (finite.Count == 0)
        {
            return new string(' ', columns.Count);
        }

        double min = finite.Min(), max = finite.Max();
        return string.Concat(columns.Select(v =>
            !double.IsFinite(v) ? ' '
            : max == min ? Bars[3]
            : Bars[(int)Math.Round((v - min) / (max - min) * (Bars.Length - 1))]));
    }

    private static double[] Group(IReadOnlyList<double> values, int width)
    {
        var columns = new double[width];
        for (int c = 0; c < width; c++)
        {
            int first = (int)((long)c * values.Count / width);
            int end = (int)((long)(c + 1) * values.Count / width);
            var group = Enumerable.Range(first, end - first).Select(i => values[i]).Where(double.IsFinite).ToList();
            columns[c] = group.Count > 0 ? group.Average() : double.NaN;
        }

        return columns;
    }
}
