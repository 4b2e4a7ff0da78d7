using DistTrain.TensorBoard.Proto;

namespace DistTrain.TensorBoard;

/// <summary>One scalar point: its run (sub-folder), tag, step and value.</summary>
/// <param name="Run">The folder of its event file relative to the log directory ("" for the log directory itself), with '/' separators.</param>
/// <param name="Tag">The summary tag.</param>
/// <param name="Step">The step (or epoch) it was written at.</param>
/// <param name="Value">The value.</param>
/// <param name="WallTime">When it was written, in seconds since the Unix epoch.</param>
public sealed record ScalarPoint(string Run, string Tag, long Step, double Value, double WallTime);

/// <summary>
/// The scalars of a TensorBoard log directory, read back as TensorBoard does: every event
/// file under it (the files of one folder in the order they were started), each record's
/// CRCs checked, and a session start at step s dropping the points of its run at steps ≥ s
/// read before it (<see cref="ScalarWriter"/>).
/// </summary>
public sealed class ScalarLog
{
    private readonly Dictionary<(string Run, string Tag), SortedDictionary<long, ScalarPoint>> _series = [];

    private ScalarLog(string directory) => Directory = directory;

    /// <summary>The log directory.</summary>
    public string Directory { get; }

    /// <summary>The runs holding scalars, sorted.</summary>
    public IReadOnlyList<string> Runs => [.. _series.Keys.Select(k => k.Run).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Whether any scalar was found.</summary>
    public bool IsEmpty => _series.Count == 0;

    /// <summary>The tags of <paramref name="run"/>, sorted.</summary>
    public IReadOnlyList<string> TagsOf(string run) => [.. _series.Keys.Where(k => k.Run == run).Select(k => k.Tag).Order(StringComparer.Ordinal)];

    /// <summary>The points of <paramref name="tag"/> in <paramref name="run"/> by step (empty when there are none).</summary>
    public IReadOnlyList<ScalarPoint> Series(string run, string tag) =>
        _series.TryGetValue((run, tag), out var points) ? [.. points.Values] : [];

    /// <summary>Reads every event file under <paramref name="directory"/>.</summary>
    public static ScalarLog Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Log directory '{directory}' does not exist.");
        }

        var log = new ScalarLog(directory);
        var files = System.IO.Directory.EnumerateFiles(directory, "*tfevents*", SearchOption.AllDirectories)
            .Select(path => (Path: path, Run: RunOf(directory, path), Events: ReadEvents(path)))
            .OrderBy(f => f.Run, StringComparer.Ordinal)
            .ThenBy(f => f.Events.Count > 0 ? f.Events[0].WallTime : double.MaxValue)
            .ThenBy(f => f.Path, StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (Event record in file.Events)
            {
                log.Add(file.Run, record);
            }
        }

        return log;
    }

    /// <summary>The events of one file, every record's CRCs checked (a record cut short at the end is left out).</summary>
    internal static IReadOnlyList<Event> ReadEvents(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            return [.. TfRecord.Read(stream).Select(Event.Parser.ParseFrom)];
        }
        catch (Exception e) when (e is InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static string RunOf(string directory, string path)
    {
        string relative = Path.GetRelativePath(directory, Path.GetDirectoryName(path)!);
        return relative == "." ? string.Empty : relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    private void Add(string run, Event record)
    {
        if (record.WhatCase == Event.WhatOneofCase.SessionLog && record.SessionLog.Status == SessionLog.Types.SessionStatus.Start)
        {
            foreach (var ((r, _), points) in _series)
            {
                if (r == run)
                {
                    foreach (long step in points.Keys.Where(s => s >= record.Step).ToList())
                    {
                        points.Remove(step);
                    }
                }
            }

            return;
        }

        if (record.WhatCase != Event.WhatOneofCase.Summary)
        {
            return;
        }

        foreach (var value in record.Summary.Value)
        {
            if (value.ValueCase != Summary.Types.Value.ValueOneofCase.SimpleValue)
            {
                continue;
            }

            if (!_series.TryGetValue((run, value.Tag), out var points))
            {
                points = [];
                _series[(run, value.Tag)] = points;
            }

            points[record.Step] = new ScalarPoint(run, value.Tag, record.Step, value.SimpleValue, record.WallTime);
        }
    }
}
