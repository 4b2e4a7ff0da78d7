using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace DistTrain.Grains.Link;

/// <summary>
/// This silo's connections to other silos' tensor links, one per remote link, opened on first
/// use and replaced after a failure. A singleton per silo, shared by its workers.
/// </summary>
/// <remarks>
/// Orleans fails the calls to a silo once it is declared dead; the links do the same: a watcher of
/// the membership closes every connection to a silo that is dead or shutting down, so a worker
/// blocked on a stalled silo's read is released by the vote, not only by the request timeout.
/// </remarks>
internal sealed partial class TensorLinkClient(IOptions<TensorLinkOptions> options, IClusterMembershipService membership, ILogger<TensorLinkClient> logger, TensorLinkSecurity? security = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<LinkConnection>>> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _siloOf = new(StringComparer.Ordinal);
    private readonly ExactArrayPool _arrays = new();
    private readonly CancellationTokenSource _disposed = new();
    private int _watching;

    /// <summary>Whether this silo's workers use links at all.</summary>
    public bool Enabled => options.Value.Enabled;

    /// <summary>
    /// An open connection to the link at <paramref name="endpoint"/>, or null when it cannot be
    /// opened (logged once per attempt; the worker then uses grain calls for that slice).
    /// </summary>
    public async Task<LinkConnection?> Connect(LinkAddress address)
    {
        string endpoint = address.Endpoint;
        _siloOf[endpoint] = address.Silo;
        if (Interlocked.Exchange(ref _watching, 1) == 0)
        {
            _ = Task.Run(WatchMembership);
        }

        while (true)
        {
            var entry = _connections.GetOrAdd(endpoint, e => new Lazy<Task<LinkConnection>>(() => LinkConnection.Open(e, security, _arrays, options.Value.ConnectTimeout, options.Value.RequestTimeout)));
            try
            {
                LinkConnection connection = await entry.Value.ConfigureAwait(false);
                if (!connection.IsFaulted)
                {
                    return connection;
                }

                _connections.TryRemove(KeyValuePair.Create(endpoint, entry)); // failed since: open a new one
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or FormatException)
            {
                _connections.TryRemove(KeyValuePair.Create(endpoint, entry));
                LogUnreachable(endpoint, e.Message);
                return null;
            }
        }
    }

    /// <summary>Closes the connections to silos the membership declares dead or stopping.</summary>
    private async Task WatchMembership()
    {
        try
        {
            await foreach (ClusterMembershipSnapshot snapshot in membership.MembershipUpdates.WithCancellation(_disposed.Token).ConfigureAwait(false))
            {
                var gone = snapshot.Members.Values.Where(m => m.Status is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping).Select(m => m.SiloAddress.ToParsableString()).ToHashSet(StringComparer.Ordinal);
                foreach (var (endpoint, silo) in _siloOf)
                {
                    if (gone.Contains(silo) && _connections.TryRemove(endpoint, out var entry))
                    {
                        LogSiloGone(endpoint, silo);
                        await Close(entry).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        foreach (var entry in _connections.Values)
        {
            await Close(entry).ConfigureAwait(false);
        }

        _connections.Clear();
    }

    /// <summary>Closes a connection that was opened (one still opening or that failed to open holds nothing).</summary>
    private static async Task Close(Lazy<Task<LinkConnection>> entry)
    {
        if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
        {
            await entry.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tensor link to {Endpoint} closed: its silo {Silo} is dead or stopping")]
    private partial void LogSiloGone(string endpoint, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tensor link to {Endpoint} cannot be opened ({Reason}): transfers to that silo go through grain calls")]
    private partial void LogUnreachable(string endpoint, string reason);
}
