using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using DistTrain.Grains.Data;
using DistTrain.Silo.Security;
using DistTrain.Silo.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Orleans.Configuration;
using Orleans.Runtime;

namespace DistTrain.Hosting;

/// <summary>
/// A started connection to a DistTrain cluster: either an Orleans client talking to the
/// gateways of a running cluster, or an embedded silo in this process (localhost
/// clustering, in-memory storage). Disposing it stops the host and flushes the metrics.
/// </summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterConnection(IHost host, ConnectionSettings settings)
    {
        _host = host;
        Settings = settings;
        Grains = host.Services.GetRequiredService<IGrainFactory>();
    }

    /// <summary>The grain factory of the client or the embedded silo.</summary>
    public IGrainFactory Grains { get; }

    /// <summary>How this connection was made.</summary>
    public ConnectionSettings Settings { get; }

    /// <summary>Services of the underlying host (the meter provider, the cluster client).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Starts the embedded silo or connects to the gateways; throws <see cref="DistTrainException"/>
    /// when the silo does not start or the cluster cannot be reached.
    /// </summary>
    /// <param name="settings">Where the cluster is.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="configureMetrics">Adds readers or exporters to the meter provider (tests add the in-memory exporter).</param>
    /// <param name="embeddedDataSets">The embedded silo's data-set provider (null: the standard data sets); ignored for a running cluster.</param>
    public static async Task<ClusterConnection> OpenAsync(
        ConnectionSettings settings,
        CancellationToken cancellationToken,
        Action<MeterProviderBuilder>? configureMetrics = null,
        IDataSetProvider? embeddedDataSets = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Embedded)
        {
            return (await OpenOnceAsync(settings, TimeSpan.FromMinutes(2), null, cancellationToken, configureMetrics, embeddedDataSets).ConfigureAwait(false))!;
        }

        // A client's start can hang on a gateway whose silo is dying (the watch of a run whose
        // coordinator's silo was just killed). An attempt that times out is retried with a fresh
        // client when the set of gateways accepting connections has changed since (the dying one
        // is gone); with the same set it would hang the same way, so its error stands.
        var attempt = new ConnectAttempt();
        while (true)
        {
            attempt.Number++;
            var connection = await OpenOnceAsync(settings, ConnectAttemptTimeout, attempt, cancellationToken, configureMetrics, null).ConfigureAwait(false);
            if (connection is not null)
            {
                return connection;
            }
        }
    }

    /// <summary>How long one attempt to reach a running cluster may take (at most <see cref="ConnectAttempts"/> are made).</summary>
    public static TimeSpan ConnectAttemptTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Most attempts <see cref="OpenAsync"/> makes to reach a running cluster.</summary>
    public const int ConnectAttempts = 3;

    /// <summary>
    /// One start of the host. Null when it timed out and another attempt may go differently
    /// (<see cref="ConnectAttempt"/>); otherwise the connection or a <see cref="DistTrainException"/>.
    /// </summary>
    private static async Task<ClusterConnection?> OpenOnceAsync(
        ConnectionSettings settings,
        TimeSpan attemptTimeout,
        ConnectAttempt? attempt,
        CancellationToken cancellationToken,
        Action<MeterProviderBuilder>? configureMetrics,
        IDataSetProvider? embeddedDataSets)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddEnvironmentVariables();
        ConfigureLogging(builder, settings.Verbose);
        builder.Services.AddDistTrainTelemetry(
            builder.Configuration,
            options =>
            {
                options.ServiceName = settings.Embedded ? "disttrain-embedded" : "disttrain-client";
                options.Console |= settings.OtelConsole;
                if (settings.OtelEndpoint is not null)
                {
                    options.OtlpEndpoint = settings.OtelEndpoint;
                }
            },
            configureMetrics);

        if (settings.Embedded)
        {
            EmbeddedSilo.Configure(builder, settings, embeddedDataSets);
        }
        else
        {
            var endpoints = new List<IPEndPoint>();
            foreach (var gateway in settings.Gateways)
            {
                endpoints.Add(await gateway.ResolveAsync(cancellationToken).ConfigureAwait(false));
            }

            // The Orleans client waits out its whole start on gateways that refuse connections;
            // it is given the ones that accept one now, and none failing fast with the reason.
            var (open, refusal) = await AcceptingAsync(endpoints, cancellationToken).ConfigureAwait(false);
            if (open.Count == 0)
            {
                throw new DistTrainException($"cannot reach the cluster at {settings.Describe()}: no gateway accepts connections ({refusal}).");
            }

            if (attempt is { TimedOut: { } timedOut } && open.ToHashSet().SetEquals(attempt.Open))
            {
                throw timedOut;
            }

            endpoints = open;
            attempt?.Open = open;

            var (certificate, authorities) = LoadTls(settings.Tls);
            builder.UseOrleansClient(client =>
            {
                if (settings.Tls is { } tls)
                {
                    client.UseTls(options => ClusterTls.Configure(options, tls, certificate, authorities));
                }

                client.UseStaticClustering([.. endpoints]);
                client.Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = settings.ClusterId;
                    options.ServiceId = settings.ServiceId;
                });
            });
        }

        var host = builder.Build();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(attemptTimeout);
            await host.StartAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            bool timedOutEarly = attempt is not null && attempt.Number < ConnectAttempts && Unwrap(ex) is TimeoutException;

            var what = settings.Embedded ? "cannot start the embedded silo" : $"cannot reach the cluster at {settings.Describe()}{(settings.Tls is null ? string.Empty : " over TLS")}";
            // A refused TLS handshake looks like an unreachable gateway to the Orleans client.
            var hint = settings.Tls is null || settings.Embedded ? string.Empty : " (if the silos refused the TLS handshake: is the client certificate (--tls-cert) issued by the cluster's CA, and still valid? --verbose shows the handshake errors)";
            var error = new DistTrainException($"{what}: {ErrorText.Describe(Unwrap(ex))}{hint}", ex);
            if (timedOutEarly)
            {
                attempt!.TimedOut = error;
                return null;
            }

            throw error;
        }

        return new ClusterConnection(host, settings);
    }

    private static (X509Certificate2? Certificate, X509Certificate2Collection? Authorities) LoadTls(DistTrainTlsOptions? tls)
    {
        if (tls is null)
        {
            return (null, null);
        }

        if (!tls.HasCertificate)
        {
            throw new DistTrainException("TLS: DistTrain silos accept only clients with a certificate of the cluster's CA; give --tls-cert (and --tls-key) as well as --tls-ca (CertificatePath, KeyPath and CaPath of ConnectionSettings.Tls in a program).");
        }

        try
        {
            return (ClusterTls.LoadCertificate(tls), ClusterTls.LoadAuthorities(tls));
        }
        catch (InvalidOperationException e)
        {
            throw new DistTrainException($"TLS: {e.Message}", e);
        }
    }

    /// <summary>What the attempts of one <see cref="OpenAsync"/> have found so far.</summary>
    private sealed class ConnectAttempt
    {
        public int Number { get; set; }

        /// <summary>The gateways that accepted a connection before the latest attempt.</summary>
        public List<IPEndPoint> Open { get; set; } = [];

        /// <summary>The latest attempt's error when it timed out.</summary>
        public DistTrainException? TimedOut { get; set; }
    }

    /// <summary>The endpoints that accept a TCP connection within a few seconds, and the first refusal's reason.</summary>
    private static async Task<(List<IPEndPoint> Open, string? Refusal)> AcceptingAsync(IReadOnlyList<IPEndPoint> endpoints, CancellationToken cancellationToken)
    {
        static async Task<(IPEndPoint Endpoint, string? Error)> Probe(IPEndPoint endpoint, CancellationToken cancellationToken)
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
                return (endpoint, null);
            }
            catch (SocketException e)
            {
                return (endpoint, $"{endpoint}: {e.Message}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (endpoint, $"{endpoint}: no answer in 5 s");
            }
        }

        var results = await Task.WhenAll(endpoints.Select(e => Probe(e, cancellationToken))).ConfigureAwait(false);
        return ([.. results.Where(r => r.Error is null).Select(r => r.Endpoint)], results.FirstOrDefault(r => r.Error is not null).Error);
    }

    /// <summary>Stops the host (and with it an embedded silo), flushing exported metrics.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SiloUnavailableException or ObjectDisposedException)
        {
            // Shutting down after the work is done: a slow or vanished cluster is not an error here.
        }
        finally
        {
            _host.Dispose();
        }
    }

    /// <summary>A TCP port on loopback that nothing listens on right now.</summary>
    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } or TaskCanceledException { InnerException: not null })
        {
            ex = ex.InnerException!;
        }

        return ex is OperationCanceledException ? new TimeoutException("timed out") : ex;
    }

    private static void ConfigureLogging(HostApplicationBuilder builder, bool verbose)
    {
        builder.Logging.ClearProviders();
        if (verbose)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        }
    }
}
