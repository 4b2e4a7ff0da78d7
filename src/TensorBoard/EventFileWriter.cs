using System.Globalization;
using DistTrain.TensorBoard.Proto;
using Google.Protobuf;

namespace DistTrain.TensorBoard;

/// <summary>
/// One TensorBoard event file, <c>events.out.tfevents.{unix seconds}.{host}.{pid}.{n}</c> in
/// its directory: <see cref="TfRecord"/> records of <c>tensorflow.Event</c> messages, the first
/// naming the file version (<c>brain.Event:2</c>). Not thread-safe; one writer per file.
/// </summary>
public sealed class EventFileWriter : IDisposable
{
    /// <summary>What every event file's name starts with; TensorBoard reads the files whose names contain <c>tfevents</c>.</summary>
    public const string FilePrefix = "events.out.tfevents.";

    /// <summary>The file version TensorBoard expects in the first record.</summary>
    public const string FileVersion = "brain.Event:2";

    private static int s_sequence;
    private readonly FileStream _stream;
    private readonly TimeProvider _time;

    /// <summary>Creates a new event file in <paramref name="directory"/> (created when missing) and writes its version record.</summary>
    public EventFileWriter(string directory, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(directory);
        long seconds = _time.GetUtcNow().ToUnixTimeSeconds();
        int sequence = Interlocked.Increment(ref s_sequence);
        string name = string.Create(CultureInfo.InvariantCulture, $"{FilePrefix}{seconds:D10}.{Environment.MachineName}.{Environment.ProcessId}.{sequence}");
        FilePath = Path.Combine(directory, name);
        _stream = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1 << 16);
        Write(new Event { WallTime = WallTime(), FileVersion = FileVersion });
        Flush();
    }

    /// <summary>The file's path.</summary>
    public string FilePath { get; }

    /// <summary>Appends a scalar summary <paramref name="tag"/> = <paramref name="value"/> at <paramref name="step"/> (stored as a 32-bit float, as TensorBoard's simple_value is).</summary>
    public void AddScalar(string tag, long step, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var summary = new Summary();
        summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
        Write(new Event { WallTime = WallTime(), Step = step, Summary = summary });
    }

    /// <summary>
    /// Appends a session start at <paramref name="step"/>: TensorBoard then drops the points of
    /// this run at steps ≥ <paramref name="step"/> that it read before (a run resumed from a checkpoint
    /// writes those steps again).
    /// </summary>
    public void AddStart(long step) =>
        Write(new Event { WallTime = WallTime(), Step = step, SessionLog = new SessionLog { Status = SessionLog.Types.SessionStatus.Start } });

    /// <summary>Hands the buffered records to the operating system, so a reader sees them.</summary>
    public void Flush() => _stream.Flush();

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    private double WallTime() => _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    private void Write(Event record) => TfRecord.Write(_stream, record.ToByteArray());
}
