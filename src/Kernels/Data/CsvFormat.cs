using System.Globalization;

namespace DistTrain.Kernels.Data;

/// <summary>
/// Reads numeric CSV files for regression. Fields may be quoted (<c>"…"</c>, with <c>""</c>
/// for a quote); blank lines are skipped. Every error names the file, line and column.
/// </summary>
public static class CsvFormat
{
    /// <summary>Loads <paramref name="path"/> with <paramref name="options"/> (defaults: header detected, last column is the target).</summary>
    public static CsvData Load(string path, CsvOptions? options = null)
    {
        options ??= new CsvOptions();
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"CSV file not found: {path}", path);
        }

        if (info.Length > options.MaxFileBytes)
        {
            throw new DataFormatException(path, 1, 1, $"the file is {info.Length} bytes, more than the limit of {options.MaxFileBytes}");
        }

        using var reader = new StreamReader(path);
        int lineNumber = 0;
        List<string>? first = NextRecord(reader, options.Delimiter, path, ref lineNumber);
        if (first is null)
        {
            throw new DataFormatException(path, 1, 1, "the file has no rows");
        }

        int firstLine = lineNumber;
        bool hasHeader = options.HasHeader ?? first.Any(cell => !TryParse(cell, out _));
        int width = first.Count;
        string[] names = hasHeader ? [.. first.Select(c => c.Trim())] : [.. Enumerable.Range(0, width).Select(i => $"column{i}")];
        int[] targets = SelectColumns(path, names, hasHeader, options.TargetColumns, options.TargetColumnIndices, "target")
            ?? [width - 1];
        int[] inputs = SelectColumns(path, names, hasHeader, options.InputColumns, options.InputColumnIndices, "input")
            ?? [.. Enumerable.Range(0, width).Where(i => !targets.Contains(i))];
        if (inputs.Length == 0)
        {
            throw new ArgumentException($"{path}: no input columns remain once the target columns are taken.", nameof(options));
        }

        var inputValues = new List<float>();
        var targetValues = new List<float>();
        List<string>? row = hasHeader ? NextRecord(reader, options.Delimiter, path, ref lineNumber) : first;
        int rowLine = hasHeader ? lineNumber : firstLine;
        while (row is not null)
        {
            if (row.Count != width)
            {
                throw new DataFormatException(path, rowLine, Math.Min(row.Count, width) + 1,
                    $"the row has {row.Count} fields but line {firstLine} has {width}");
            }

            AddCells(path, rowLine, row, names, inputs, inputValues);
            AddCells(path, rowLine, row, names, targets, targetValues);
            row = NextRecord(reader, options.Delimiter, path, ref lineNumber);
            rowLine = lineNumber;
        }

        if (targetValues.Count == 0)
        {
            throw new DataFormatException(path, lineNumber + 1, 1, "the file has a header but no data rows");
        }

        var data = new InMemoryDataSet([.. inputValues], [.. targetValues], [inputs.Length], targets.Length);
        return new CsvData(data, [.. inputs.Select(i => names[i])], [.. targets.Select(i => names[i])]);
    }

    private static void AddCells(string path, int line, List<string> row, string[] names, int[] columns, List<float> output)
    {
        foreach (int c in columns)
        {
            string cell = row[c];
            if (!TryParse(cell, out float value))
            {
                string what = cell.Trim().Length == 0 ? "the cell is empty" : $"'{Shorten(cell)}' is not a finite number";
                throw new DataFormatException(path, line, c + 1, $"{what} (column '{names[c]}')");
            }

            output.Add(value);
        }
    }

    private static bool TryParse(string cell, out float value) =>
        float.TryParse(cell.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);

    private static string Shorten(string cell) => cell.Length <= 40 ? cell : cell[..40] + "…";

    /// <summary>Resolves names or indices to column indices; null when neither is given.</summary>
    private static int[]? SelectColumns(string path, string[] names, bool hasHeader, IReadOnlyList<string>? byName, IReadOnlyList<int>? byIndex, string role)
    {
        if (byName is not null && byIndex is not null)
        {
            throw new ArgumentException($"Choose the {role} columns by name or by index, not both.");
        }

        if (byName is not null)
        {
            if (!hasHeader)
            {
                throw new ArgumentException($"{path}: {role} columns are chosen by name but the file has no header.");
            }

            return [.. byName.Select(n =>
            {
                int i = Array.IndexOf(names, n);
                return i >= 0 ? i : throw new ArgumentException($"{path}: there is no {role} column '{n}'; the header has {string.Join(", ", names)}.");
            })];
        }

        if (byIndex is not null)
        {
            foreach (int i in byIndex)
            {
                if ((uint)i >= (uint)names.Length)
                {
                    throw new ArgumentException($"{path}: {role} column index {i} is outside the {names.Length} columns.");
                }
            }

            return [.. byIndex];
        }

        return null;
    }

    /// <summary>The fields of the next non-blank line, or null at the end of the file.</summary>
    private static List<string>? NextRecord(StreamReader reader, char delimiter, string path, ref int lineNumber)
    {
        string? line;
        do
        {
            line = reader.ReadLine();
            if (line is null)
            {
                return null;
            }

            lineNumber++;
        }
        while (string.IsNullOrWhiteSpace(line));

        return SplitFields(line, delimiter, path, lineNumber);
    }

    private static List<string> SplitFields(string line, char delimiter, string path, int lineNumber)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        int i = 0;
        while (true)
        {
            current.Clear();
            int start = i;
            while (i < line.Length && line[i] == ' ')
            {
                i++;
            }

            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new DataFormatException(path, lineNumber, fields.Count + 1, "a quoted field is not closed on this line");
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            current.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    current.Append(line[i++]);
                }

                while (i < line.Length && line[i] == ' ')
                {
                    i++;
                }

                if (i < line.Length && line[i] != delimiter)
                {
                    throw new DataFormatException(path, lineNumber, fields.Count + 1, "unexpected text after a closing quote");
                }
            }
            else
            {
                i = start;
                while (i < line.Length && line[i] != delimiter)
                {
                    current.Append(line[i++]);
                }
            }

            fields.Add(current.ToString());
            if (i >= line.Length)
            {
                return fields;
            }

            i++; // skip the delimiter
        }
    }
}
