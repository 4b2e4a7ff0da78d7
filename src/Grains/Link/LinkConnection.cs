using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace DistTrain.Grains.Link;

/// <summary>
/// A worker silo's connection to another silo's tensor link: requests are queued to one writer
/// (header and prefix, then the payload array as it is), responses are matched by id by one
/// reader. Any failure — the socket closing, a malformed frame, a request past its deadline —
/// closes the connection and fails every request in flight with the reason (a late write of a
/// payload array the worker reuses next step can therefore never reach the slice).
/// </summary>
internal sealed class LinkConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(); // not SingleReader: that channel cannot count (the writer flushes when it is empty)
    private readonly ConcurrentDictionary<ulong, Pending> _pending = new();
    private readonly ExactArrayPool _arrays;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _closed = new();
    private readonly Timer _deadlines;
    private long _nextId;
    private Exception? _fault;

    private LinkConnection(string endpoint, Stream stream, ExactArrayPool arrays, TimeSpan timeout)
    {
        Endpoint = endpoint;
        _stream = stream;
        _arrays = arrays;
        _timeout = timeout;
        _ = Task.Run(WriteLoop);
        _ = Task.Run(ReadLoop);
        TimeSpan tick = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 4, 10, 1000));
        _deadlines = new Timer(_ => CheckDeadlines(), null, tick, tick);
    }

    /// <summary>The remote link, <c>host:port</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Whether the connection failed (then it is closed, and a new one must be opened).</summary>
    public bool IsFaulted => Volatile.Read(ref _fault) is not null;

    /// <summary>Connects to <paramref name="endpoint"/> and sends the protocol's magic; throws when it cannot within <paramref name="connectTimeout"/>.</summary>
    public static async Task<LinkConnection> Open(string endpoint, TensorLinkSecurity? security, ExactArrayPool arrays, TimeSpan connectTimeout, TimeSpan requestTimeout)
    {
        IPEndPoint address = IPEndPoint.Parse(endpoint);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            LinkStreams.Tune(socket);
            using var timeout = new CancellationTokenSource(connectTimeout);
            await socket.ConnectAsync(address, timeout.Token).ConfigureAwait(false);
            Stream stream = await LinkStreams.ForClient(socket, security, timeout.Token).ConfigureAwait(false);
            await stream.WriteAsync(LinkProtocol.Magic.ToArray(), timeout.Token).ConfigureAwait(false);
            await stream.FlushAsync(timeout.Token).ConfigureAwait(false);
            return new LinkConnection(endpoint, stream, arrays, requestTimeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Pushes a gradient chunk to slice <paramref name="key"/>; the task ends when the slice took it (true) or found it a duplicate (false).</summary>
    public Task<bool> Push(string key, GradientChunk chunk)
    {
        var pending = new Pending(LinkProtocol.Push, _timeout);
        Send(pending, chunk.Data, w =>
        {
            w.Byte(LinkProtocol.Push);
            w.String(key);
            w.String(chunk.RunId);
            w.Int64(chunk.Step);
            w.Int32(chunk.Node.Level);
            w.Int32(chunk.Node.Index);
            w.Int32(chunk.Offset);
            w.Byte((byte)chunk.Encoding);
        });
        return pending.Pushed.Task;
    }

    /// <summary>Reads <paramref name="count"/> floats of slice <paramref name="key"/>'s <paramref name="kind"/> from <paramref name="offset"/>; give the chunk's data back with <see cref="ReturnArray"/> once copied.</summary>
    public Task<ParameterChunk> Read(string key, ParameterKind kind, int offset, int count, long atLeast = -1)
    {
        var pending = new Pending(LinkProtocol.Read, _timeout);
        Send(pending, [], w =>
        {
            w.Byte(LinkProtocol.Read);
            w.String(key);
            w.Byte((byte)kind);
            w.Int32(offset);
            w.Int32(count);
            w.Int64(atLeast);
        });
        return pending.Read.Task;
    }

    /// <summary>Gives a read's payload array back for reuse.</summary>
    public void ReturnArray(byte[] data) => _arrays.Return(data);

    public async ValueTask DisposeAsync()
    {
        Fail(new ObjectDisposedException(nameof(LinkConnection), $"the link to {Endpoint} was closed"));
        await _deadlines.DisposeAsync().ConfigureAwait(false);
    }

    private void Send(Pending pending, byte[] payload, Action<LinkProtocol.PrefixWriter> prefix)
    {
        ulong id = (ulong)Interlocked.Increment(ref _nextId);
        if (Volatile.Read(ref _fault) is { } fault)
        {
            pending.Fail(Wrap(fault));
            return;
        }

        _pending[id] = pending;
        var (header, length) = LinkProtocol.Frame(id, payload.Length, prefix);
        if (!_outgoing.Writer.TryWrite(new Outgoing(header, length, payload)))
        {
            ArrayPool<byte>.Shared.Return(header);
            if (_pending.TryRemove(id, out _))
            {
                pending.Fail(Wrap(_fault ?? new IOException("the link is closed")));
            }
        }
        else if (Volatile.Read(ref _fault) is { } late && _pending.TryRemove(id, out _))
        {
            pending.Fail(Wrap(late)); // failed between the check and the queueing
        }
    }

    private async Task WriteLoop()
    {
        try
        {
            await foreach (Outgoing frame in _outgoing.Reader.ReadAllAsync(_closed.Token).ConfigureAwait(false))
            {
                try
                {
                    await _stream.WriteAsync(frame.Header.AsMemory(0, frame.Length), _closed.Token).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame.Header);
                }

                if (frame.Payload.Length > 0)
                {
                    await _stream.WriteAsync(frame.Payload, _closed.Token).ConfigureAwait(false);
                }

                if (_outgoing.Reader.Count == 0)
                {
                    await _stream.FlushAsync(_closed.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private async Task ReadLoop()
    {
        byte[] header = new byte[LinkProtocol.HeaderBytes];
        byte[] prefix = new byte[LinkProtocol.MaxPrefix];
        try
        {
            while (true)
            {
                var frame = await LinkProtocol.ReadHeader(_stream, header, _closed.Token).ConfigureAwait(false)
                    ?? throw new EndOfStreamException($"the silo at {Endpoint} closed the link");
                await _stream.ReadExactlyAsync(prefix.AsMemory(0, frame.Prefix), _closed.Token).ConfigureAwait(false);
                byte[] payload = _arrays.Rent(frame.Payload);
                await _stream.ReadExactlyAsync(payload, _closed.Token).ConfigureAwait(false);
                if (!_pending.TryRemove(frame.Id, out Pending? pending))
                {
                    _arrays.Return(payload); // timed out meanwhile: nobody waits
                    continue;
                }

                Complete(pending, prefix.AsSpan(0, frame.Prefix), payload);
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Complete(Pending pending, ReadOnlySpan<byte> prefix, byte[] payload)
    {
        var reader = new LinkProtocol.PrefixReader(prefix);
        if (reader.Byte() == LinkProtocol.Failed)
        {
            _arrays.Return(payload);
            pending.Fail(new InvalidOperationException($"{reader.String()} (through the tensor link to {Endpoint})"));
            return;
        }

        if (pending.Op == LinkProtocol.Push)
        {
            _arrays.Return(payload);
            pending.Pushed.TrySetResult(reader.Byte() != 0);
            return;
        }

        long version = reader.Int64();
        var kind = (ParameterKind)reader.Byte();
        int offset = reader.Int32();
        pending.Read.TrySetResult(new ParameterChunk(kind, version, offset, payload));
    }

    private void CheckDeadlines()
    {
        long now = Stopwatch.GetTimestamp();
        foreach (var (_, pending) in _pending)
        {
            if (now > pending.Deadline)
            {
                Fail(new TimeoutException($"the silo at {Endpoint} did not answer a {(pending.Op == LinkProtocol.Push ? "gradient push" : "weight read")} within {_timeout.TotalSeconds:0.#} s"));
                return;
            }
        }
    }

    private void Fail(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _fault, reason, null) is not null)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        _closed.Cancel();
        _stream.Dispose();
        foreach (ulong id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out Pending? pending))
            {
                pending.Fail(Wrap(reason));
            }
        }

        while (_outgoing.Reader.TryRead(out Outgoing frame))
        {
            ArrayPool<byte>.Shared.Return(frame.Header);
        }
    }

    private Exception Wrap(Exception reason) =>
        reason is TimeoutException ? new TimeoutException(reason.Message, reason) : new IOException($"the tensor link to {Endpoint} failed: {reason.Message}", reason);

    private readonly record struct Outgoing(byte[] Header, int Length, byte[] Payload);

    private sealed class Pending(byte op, TimeSpan timeout)
    {
        public byte Op { get; } = op;

        public long Deadline { get; } = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

        public TaskCompletionSource<bool> Pushed { get; } = op == LinkProtocol.Push ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null!;

        public TaskCompletionSource<ParameterChunk> Read { get; } = op == LinkProtocol.Read ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null!;

        public void Fail(Exception e)
        {
            if (Op == LinkProtocol.Push)
            {
                Pushed.TrySetException(e);
            }
            else
            {
                Read.TrySetException(e);
            }
        }
    }
}
