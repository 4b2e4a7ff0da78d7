using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace DistTrain.Grains.Link;

/// <summary>
/// This silo's tensor-link listener: serves weight reads and gradient pushes for the
/// parameter-server slices activated here (<see cref="Host"/>), handing each to its grain by a
/// call inside this silo (no serialisation: the chunks are immutable), so every check and the
/// order of the slice's work stay the grain's. A request for a slice that is not here is
/// answered with an error (the worker's step fails and the coordinator recovers as from any
/// failed call). Listens from the silo's start to its stop, on <see cref="TensorLinkOptions.Port"/>.
/// </summary>
internal sealed partial class TensorLinkServer(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<TensorLinkOptions> options,
    ILogger<TensorLinkServer> logger,
    Servers.LocalSliceDirectory slices,
    TensorLinkSecurity? security = null) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Requests of one connection handled at once; more wait until one is answered.</summary>
    private const int InFlightPerConnection = 64;

    private readonly ConcurrentDictionary<string, int> _hosted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Socket, bool> _connections = new();
    private readonly ExactArrayPool _arrays = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;

    /// <summary>Where workers of other silos reach this link (<c>ip:port</c>), or null when it is off or not started.</summary>
    public string? Endpoint { get; private set; }

    private long _served;

    /// <summary>Connections open now (for tests and diagnostics).</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Requests answered so far, failed ones included (for tests and diagnostics).</summary>
    public long RequestsServed => Interlocked.Read(ref _served);

    /// <summary>Closes every open connection (as a network failure would); the listener stays up.</summary>
    public void DropConnections()
    {
        foreach (Socket socket in _connections.Keys)
        {
            socket.Dispose();
        }
    }

    /// <summary>Serves slice <paramref name="key"/> from now on; returns where (null when the link is off).</summary>
    public LinkAddress? Host(string key)
    {
        _hosted[key] = 0;
        return Endpoint is { } endpoint ? new LinkAddress(endpoint, silo.SiloAddress.ToParsableString()) : null;
    }

    /// <summary>Stops serving slice <paramref name="key"/> (its grain deactivates).</summary>
    public void Unhost(string key) => _hosted.TryRemove(key, out _);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(TensorLinkServer), ServiceLifecycleStage.Active, Start, Stop);

    private Task Start(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return Task.CompletedTask;
        }

        IPAddress advertised = silo.SiloAddress.Endpoint.Address;
        IPAddress bind = IPAddress.IsLoopback(advertised) ? advertised : advertised.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        var listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(bind, options.Value.Port));
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new InvalidOperationException($"{TensorLinkOptions.SectionName}: cannot listen on port {options.Value.Port} ({e.Message}); set another Port, 0 for any free one, or Enabled=false.", e);
        }

        _listener = listener;
        Endpoint = new IPEndPoint(advertised, ((IPEndPoint)listener.LocalEndPoint!).Port).ToString();
        LogListening(Endpoint, security is null ? "plain TCP" : "mutual TLS");
        _ = Task.Run(AcceptLoop);
        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _listener?.Dispose();
        DropConnections();
        Endpoint = null;
        return Task.CompletedTask;
    }

    private async Task AcceptLoop()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            _ = Task.Run(() => Serve(socket));
        }
    }

    private async Task Serve(Socket socket)
    {
        _connections[socket] = true;
        string remote = socket.RemoteEndPoint?.ToString() ?? "?";
        Stream? stream = null;
        var inFlight = new SemaphoreSlim(InFlightPerConnection); // not disposed: requests still answering may release them after the connection ends
        var writeLock = new SemaphoreSlim(1);
        try
        {
            LinkStreams.Tune(socket);
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                handshake.CancelAfter(options.Value.ConnectTimeout);
                stream = await LinkStreams.ForServer(socket, security, handshake.Token).ConfigureAwait(false);
                byte[] magic = new byte[LinkProtocol.Magic.Length];
                await stream.ReadExactlyAsync(magic, handshake.Token).ConfigureAwait(false);
                if (!magic.AsSpan().SequenceEqual(LinkProtocol.Magic))
                {
                    throw new InvalidDataException("the peer does not speak the tensor link protocol");
                }
            }

            byte[] header = new byte[LinkProtocol.HeaderBytes];
            while (true)
            {
                var frame = await LinkProtocol.ReadHeader(stream, header, _stopping.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    return;
                }

                byte[] prefix = ArrayPool<byte>.Shared.Rent(frame.Value.Prefix);
                await stream.ReadExactlyAsync(prefix.AsMemory(0, frame.Value.Prefix), _stopping.Token).ConfigureAwait(false);
                byte[] payload = _arrays.Rent(frame.Value.Payload);
                await stream.ReadExactlyAsync(payload, _stopping.Token).ConfigureAwait(false);
                await inFlight.WaitAsync(_stopping.Token).ConfigureAwait(false);
                _ = Handle(stream, writeLock, inFlight, frame.Value.Id, prefix, frame.Value.Prefix, payload);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            if (!_stopping.IsCancellationRequested)
            {
                LogConnectionClosed(remote, e.Message);
            }
        }
        finally
        {
            _connections.TryRemove(socket, out _);
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
        }
    }

    private async Task Handle(Stream stream, SemaphoreSlim writeLock, SemaphoreSlim inFlight, ulong id, byte[] prefix, int prefixLength, byte[] payload)
    {
        byte[] answer = [];
        bool pooledAnswer = false;
        (byte[] Buffer, int Length) response;
        try
        {
            var reader = new LinkProtocol.PrefixReader(prefix.AsSpan(0, prefixLength));
            byte op = reader.Byte();
            string key = reader.String();
            if (!_hosted.ContainsKey(key))
            {
                throw new InvalidOperationException($"parameter-server slice '{key}' is not served by silo {silo.SiloAddress}");
            }

            var grain = grains.GetGrain<IParameterServerGrain>(key);
            if (op == LinkProtocol.Push)
            {
                var chunk = new GradientChunk(reader.String(), reader.Int64(), new ShardNode(reader.Int32(), reader.Int32()), reader.Int32(), payload, (GradientCompression)reader.Byte());
                bool counted = await grain.Push(chunk).ConfigureAwait(false); // the slice has copied the payload when this returns
                response = LinkProtocol.Frame(id, 0, w =>
                {
                    w.Byte(LinkProtocol.Ok);
                    w.Byte(counted ? (byte)1 : (byte)0);
                });
            }
            else if (op == LinkProtocol.Read)
            {
                var kind = (ParameterKind)reader.Byte();
                int offset = reader.Int32();
                int count = reader.Int32();
                long atLeast = reader.Int64();
                if (atLeast >= 0 && slices.WhenAt(key, atLeast) is { IsCompleted: false } applied)
                {
                    // A read of the next step's weights sent while this slice still applies the
                    // step before: answered the moment it is applied (bounded: a step whose apply
                    // never comes must not hold the worker).
                    await applied.WaitAsync(Servers.LocalSlice.VersionPatience, _stopping.Token).ConfigureAwait(false);
                }

                long version;
                if (kind == ParameterKind.Weights && count is > 0 and <= PayloadLimits.MaxChunkFloats
                    && TryReadLocally(key, offset, count, out byte[] local, out version))
                {
                    // Straight from the slice's memory into a pooled array: no grain call and no
                    // fresh 1 MB array per read (those were page faults on every step).
                    answer = local;
                    pooledAnswer = true;
                }
                else
                {
                    ParameterChunk chunk = await grain.Read(kind, offset, count).ConfigureAwait(false);
                    answer = chunk.Data;
                    version = chunk.Version;
                }

                response = LinkProtocol.Frame(id, answer.Length, w =>
                {
                    w.Byte(LinkProtocol.Ok);
                    w.Int64(version);
                    w.Byte((byte)kind);
                    w.Int32(offset);
                });
            }
            else
            {
                throw new InvalidDataException($"unknown tensor-link request {op}");
            }
        }
        catch (Exception e)
        {
            // The grain's error (or the request's) goes back to the worker, as a failed grain call would.
            response = LinkProtocol.Frame(id, 0, w =>
            {
                w.Byte(LinkProtocol.Failed);
                w.String($"{e.GetType().Name}: {e.Message}");
            });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(prefix);
            _arrays.Return(payload);
        }

        try
        {
            await writeLock.WaitAsync(_stopping.Token).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(response.Buffer.AsMemory(0, response.Length), _stopping.Token).ConfigureAwait(false);
                if (answer.Length > 0)
                {
                    await stream.WriteAsync(answer, _stopping.Token).ConfigureAwait(false);
                }

                await stream.FlushAsync(_stopping.Token).ConfigureAwait(false);
            }
            finally
            {
                writeLock.Release();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is gone; its reader notices too.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(response.Buffer);
            if (pooledAnswer)
            {
                _arrays.Return(answer);
            }

            Interlocked.Increment(ref _served);
            inFlight.Release();
        }
    }

    /// <summary>Reads weights of a slice of this silo from its memory (CPU slices publish it once sealed); false to go through the grain.</summary>
    private bool TryReadLocally(string key, int offset, int count, out byte[] data, out long version)
    {
        data = _arrays.Rent(count * sizeof(float));
        if (slices.TryReadWeights(key, offset, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data.AsSpan()), out version))
        {
            return true;
        }

        _arrays.Return(data);
        data = [];
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tensor link listening at {Endpoint} ({Security})")]
    private partial void LogListening(string endpoint, string security);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tensor link connection from {Remote} closed: {Reason}")]
    private partial void LogConnectionClosed(string remote, string reason);
}
