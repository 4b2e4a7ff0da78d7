using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DistTrain.Grains.Link;

/// <summary>
/// This silo's connections to other silos' tensor links, one per remote link, opened on first
/// use and replaced after a failure. A singleton per silo, shared by its workers.
/// </summary>
internal sealed partial class TensorLinkClient(IOptions<TensorLinkOptions> options, ILogger<TensorLinkClient> logger, TensorLinkSecurity? security = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<LinkConnection>>> _connections = new(StringComparer.Ordinal);
    private readonly ExactArrayPool _arrays = new();

    /// <summary>Whether this silo's workers use links at all.</summary>
    public bool Enabled => options.Value.Enabled;

    /// <summary>
    /// An open connection to the link at <paramref name="endpoint"/>, or null when it cannot be
    /// opened (logged once per attempt; the worker then uses grain calls for that slice).
    /// </summary>
    public async Task<LinkConnection?> Connect(string endpoint)
    {
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

    public async ValueTask DisposeAsync()
    {
        foreach (var entry in _connections.Values)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
            {
                await entry.Value.Result.DisposeAsync().ConfigureAwait(false);
            }
        }

        _connections.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tensor link to {Endpoint} cannot be opened ({Reason}): transfers to that silo go through grain calls")]
    private partial void LogUnreachable(string endpoint, string reason);
}
