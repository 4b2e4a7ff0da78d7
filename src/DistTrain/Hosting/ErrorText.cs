namespace DistTrain.Hosting;

/// <summary>One-line descriptions of failures, as the console and the library report them.</summary>
public static class ErrorText
{
    /// <summary>One line naming an unexpected failure: its type where the message alone is vague.</summary>
    public static string Describe(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var inner = ex is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : ex;
        return inner switch
        {
            FileNotFoundException f => $"file not found: {f.FileName ?? OneLine(f.Message)}",
            DirectoryNotFoundException d => OneLine(d.Message),
            UnauthorizedAccessException u => OneLine(u.Message),
            ArgumentException or InvalidOperationException or FormatException or IOException or DistTrainException => OneLine(inner.Message),
            _ => $"{inner.GetType().Name}: {OneLine(inner.Message)}",
        };
    }

    /// <summary>The first line of <paramref name="message"/>, trimmed.</summary>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var line = message.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).Trim().ToString();
    }
}
