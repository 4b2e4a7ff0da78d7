namespace DistTrain.Hosting;

/// <summary>
/// Where a program finds its cluster: no gateways means an embedded silo in this process.
/// </summary>
/// <param name="Gateways">Gateway endpoints of a running cluster; empty for the embedded one.</param>
/// <param name="ClusterId">Orleans cluster id of the silos.</param>
/// <param name="ServiceId">Orleans service id of the silos.</param>
/// <param name="OtelConsole">Export the DistTrain metrics through the OpenTelemetry console exporter.</param>
/// <param name="OtelEndpoint">OTLP endpoint for the DistTrain metrics, or null.</param>
/// <param name="Verbose">Show Orleans and host log messages (warnings and above) on standard error.</param>
/// <param name="Tls">The client's certificate and the cluster's CA for a cluster with TLS (docs/SECURITY.md); null for plain TCP.</param>
/// <param name="PluginsPath">
/// A folder of custom layer assemblies (<c>DistTrain:Plugins:Path</c>) that the embedded silo
/// loads; null for none (the embedded silo still finds layer types of this process). A running
/// cluster's silos have their own setting.
/// </param>
public sealed record ConnectionSettings(
    IReadOnlyList<GatewayAddress> Gateways,
    string ClusterId,
    string ServiceId,
    bool OtelConsole,
    string? OtelEndpoint,
    bool Verbose,
    DistTrain.Silo.Security.DistTrainTlsOptions? Tls = null,
    string? PluginsPath = null)
{
    /// <summary>Cluster id the silos use unless configured otherwise.</summary>
    public const string DefaultClusterId = "disttrain";

    /// <summary>Service id the silos use unless configured otherwise.</summary>
    public const string DefaultServiceId = "disttrain";

    /// <summary>True when the command runs its own silo in this process.</summary>
    public bool Embedded => Gateways.Count == 0;

    /// <summary>The embedded single-process cluster with the default ids and no metric exporters.</summary>
    public static ConnectionSettings EmbeddedCluster { get; } = new([], DefaultClusterId, DefaultServiceId, false, null, false);

    /// <summary>A running cluster at <paramref name="gateways"/> (<c>host:port[,host:port...]</c>) with the default ids.</summary>
    public static ConnectionSettings ForGateways(string gateways) =>
        new(GatewayAddress.ParseList(gateways), DefaultClusterId, DefaultServiceId, false, null, false);

    /// <summary>The gateways as given, for messages.</summary>
    public string Describe() => Embedded ? "the embedded cluster" : string.Join(',', Gateways);
}
