namespace DistTrain.Kernels.Data;

/// <summary>How <see cref="CsvFormat"/> reads a CSV file for regression.</summary>
public sealed class CsvOptions
{
    /// <summary>
    /// Whether the first non-blank line names the columns. Null (the default) detects it: the
    /// first line is a header when any of its cells is not a number.
    /// </summary>
    public bool? HasHeader { get; init; }

    /// <summary>Target columns by header name. Set at most one of this and <see cref="TargetColumnIndices"/>; with neither, the last column is the target.</summary>
    public IReadOnlyList<string>? TargetColumns { get; init; }

    /// <summary>Target columns by 0-based index.</summary>
    public IReadOnlyList<int>? TargetColumnIndices { get; init; }

    /// <summary>Input columns by header name. Set at most one of this and <see cref="InputColumnIndices"/>; with neither, every column that is not a target is an input.</summary>
    public IReadOnlyList<string>? InputColumns { get; init; }

    /// <summary>Input columns by 0-based index.</summary>
    public IReadOnlyList<int>? InputColumnIndices { get; init; }

    /// <summary>The field separator.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>Larger files are refused before reading (default 1 GiB).</summary>
    public long MaxFileBytes { get; init; } = 1L << 30;
}
