namespace DistTrain.Client.Cli;

/// <summary>
/// Where a command finds its cluster: no gateways means an embedded silo in this process.
/// <see cref="Tls"/> is null for plain TCP.
/// </summary>
public sealed record ConnectionSettings(
    IReadOnlyList<GatewayAddress> Gateways,
    string ClusterId,
    string ServiceId,
    bool OtelConsole,
    string? OtelEndpoint,
    bool Verbose,
    DistTrain.Silo.Security.DistTrainTlsOptions? Tls = null)
{
    /// <summary>Cluster id the silos use unless configured otherwise.</summary>
    public const string DefaultClusterId = "disttrain";

    /// <summary>Service id the silos use unless configured otherwise.</summary>
    public const string DefaultServiceId = "disttrain";

    /// <summary>True when the command runs its own silo in this process.</summary>
    public bool Embedded => Gateways.Count == 0;

    /// <summary>The gateways as given, for messages.</summary>
    public string Describe() => Embedded ? "the embedded cluster" : string.Join(',', Gateways);
}
