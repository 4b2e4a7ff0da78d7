namespace DistTrain.Kernels.Data;

/// <summary>
/// A data file is not in the format its reader expects. The message names the file and
/// where the problem is: the byte offset for binary formats (IDX, CIFAR-10), the line and
/// column for CSV.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>A binary-format error at byte <paramref name="offset"/> of <paramref name="filePath"/>.</summary>
    public DataFormatException(string filePath, long offset, string problem, Exception? innerException = null)
        : base($"{filePath}: at byte offset {offset}: {problem}", innerException)
    {
        FilePath = filePath;
        Offset = offset;
    }

    /// <summary>A text-format error at 1-based <paramref name="line"/> and <paramref name="column"/> of <paramref name="filePath"/>.</summary>
    public DataFormatException(string filePath, int line, int column, string problem)
        : base($"{filePath}: line {line}, column {column}: {problem}")
    {
        FilePath = filePath;
        Line = line;
        Column = column;
    }

    /// <summary>The file that is wrong.</summary>
    public string FilePath { get; }

    /// <summary>Byte offset of the problem (binary formats; for gzip files, in the decompressed bytes).</summary>
    public long? Offset { get; }

    /// <summary>1-based line of the problem (text formats).</summary>
    public int? Line { get; }

    /// <summary>1-based column of the problem (text formats).</summary>
    public int? Column { get; }
}
