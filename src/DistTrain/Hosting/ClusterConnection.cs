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
            timeout.CancelAfter(settings.Embedded ? TimeSpan.FromMinutes(2) : TimeSpan.FromSeconds(30));
            await host.StartAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var what = settings.Embedded ? "cannot start the embedded silo" : $"cannot reach the cluster at {settings.Describe()}{(settings.Tls is null ? string.Empty : " over TLS")}";
            // A refused TLS handshake looks like an unreachable gateway to the Orleans client.
            var hint = settings.Tls is null || settings.Embedded ? string.Empty : " (if the silos refused the TLS handshake: is the client certificate (--tls-cert) issued by the cluster's CA, and still valid? --verbose shows the handshake errors)";
            throw new DistTrainException($"{what}: {ErrorText.Describe(Unwrap(ex))}{hint}", ex);
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
