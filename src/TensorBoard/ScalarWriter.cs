namespace DistTrain.TensorBoard;

/// <summary>
/// The scalars of one TensorBoard run: a sub-folder of the log directory (TensorBoard shows
/// each sub-folder as a run and draws the same tag of several runs in one chart). The event
/// file is created on the first write. Before that write, and whenever a step is not after
/// the last one written (the run rewound to a checkpoint, or a value is corrected), it writes
/// a session start, so that TensorBoard and <see cref="ScalarLog"/> replace the points of the
/// steps written again. All scalars of one step go in one <see cref="Write"/>. Records are flushed
/// at most <see cref="FlushInterval"/> apart, on <see cref="Flush"/> and on <see cref="Dispose"/>.
/// Not thread-safe.
/// </summary>
public sealed class ScalarWriter(string directory, TimeProvider? time = null) : IDisposable
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private EventFileWriter? _file;
    private long _lastStep = long.MinValue;
    private long _lastFlush;
    private bool _disposed;

    /// <summary>The run's folder.</summary>
    public string Directory { get; } = directory ?? throw new ArgumentNullException(nameof(directory));

    /// <summary>The event file, once something was written.</summary>
    public string? FilePath => _file?.FilePath;

    /// <summary>Longest time records stay buffered while writes go on (default 2 s).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Writes <paramref name="scalars"/> (tag and value) at <paramref name="step"/>.</summary>
    public void Write(long step, params ReadOnlySpan<(string Tag, double Value)> scalars)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_file is null)
        {
            _file = new EventFileWriter(Directory, _time);
            _lastFlush = _time.GetTimestamp();
            _file.AddStart(step);
        }
        else if (step <= _lastStep)
        {
            _file.AddStart(step);
        }

        _lastStep = step;
        foreach (var (tag, value) in scalars)
        {
            _file.AddScalar(tag, step, value);
        }

        if (_time.GetElapsedTime(_lastFlush) >= FlushInterval)
        {
            Flush();
        }
    }

    /// <summary>Hands the buffered records to the operating system.</summary>
    public void Flush()
    {
        _file?.Flush();
        _lastFlush = _time.GetTimestamp();
    }

    /// <summary>Flushes and closes the event file; a later <see cref="Write"/> throws.</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        _disposed = true;
    }
}
