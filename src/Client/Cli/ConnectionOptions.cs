using System.CommandLine;
using System.CommandLine.Parsing;
using DistTrain.Silo.Security;

namespace DistTrain.Client.Cli;

/// <summary>
/// The options every cluster-facing command shares: where the cluster is, the client's TLS
/// certificate and trusted CA, and where the client's metrics go while it watches a run.
/// </summary>
internal sealed class ConnectionOptions
{
    /// <summary>The environment variable that supplies <c>--cluster</c> when it is not given.</summary>
    public const string ClusterVariable = "DISTTRAIN_CLUSTER";

    public Option<string?> Cluster { get; } = new("--cluster", "-c")
    {
        Description = $"Gateway endpoints of a running cluster, host:port[,host:port...] (default: ${ClusterVariable}).",
        HelpName = "host:port[,...]",
        CustomParser = ParseGateways,
    };

    public Option<string> ClusterId { get; } = new("--cluster-id")
    {
        Description = "Orleans cluster id of the silos.",
        DefaultValueFactory = _ => ConnectionSettings.DefaultClusterId,
    };

    public Option<string> ServiceId { get; } = new("--service-id")
    {
        Description = "Orleans service id of the silos.",
        DefaultValueFactory = _ => ConnectionSettings.DefaultServiceId,
    };

    public Option<bool> OtelConsole { get; } = new("--otel-console")
    {
        Description = "Export the DistTrain metrics through the OpenTelemetry console exporter (standard output; not with --json).",
    };

    public Option<string?> OtelEndpoint { get; } = new("--otel-endpoint")
    {
        Description = "OTLP collector endpoint for the DistTrain metrics (default: $OTEL_EXPORTER_OTLP_ENDPOINT).",
        HelpName = "url",
        CustomParser = ParseUri,
    };

    public Option<string?> TlsCertificate { get; } = new("--tls-cert")
    {
        Description = "Client certificate for a cluster with TLS: PEM (with --tls-key, or the key in the same file) or .pfx (default: $DISTTRAIN_TLS_CERT).",
        HelpName = "file",
    };

    public Option<string?> TlsKey { get; } = new("--tls-key")
    {
        Description = "PEM private key of --tls-cert (default: $DISTTRAIN_TLS_KEY).",
        HelpName = "file",
    };

    public Option<string?> TlsCa { get; } = new("--tls-ca")
    {
        Description = "PEM file of the cluster's certificate authority; the silos' certificates must chain to it (default: $DISTTRAIN_TLS_CA).",
        HelpName = "file",
    };

    public Option<string?> TlsServerName { get; } = new("--tls-server-name")
    {
        Description = "Name the silos' certificates must carry (default: $DISTTRAIN_TLS_SERVER_NAME; none: any certificate of the CA).",
        HelpName = "name",
    };

    /// <summary>The environment variable that supplies <c>--plugins</c> when it is not given.</summary>
    public const string PluginsVariable = "DISTTRAIN_PLUGINS";

    public Option<string?> Plugins { get; } = new("--plugins")
    {
        Description = $"Folder of custom layer assemblies: the console reads model specs with them, and the embedded silo loads them (DistTrain:Plugins:Path); a running cluster's silos need their own (default: ${PluginsVariable}).",
        HelpName = "folder",
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show Orleans and host log messages (warnings and above) on standard error.",
    };

    public void AddTo(Command command)
    {
        command.Add(Cluster);
        command.Add(ClusterId);
        command.Add(ServiceId);
        command.Add(OtelConsole);
        command.Add(OtelEndpoint);
        command.Add(TlsCertificate);
        command.Add(TlsKey);
        command.Add(TlsCa);
        command.Add(TlsServerName);
        command.Add(Plugins);
        command.Add(Verbose);
    }

    public ConnectionSettings Read(ParseResult parse)
    {
        var cluster = parse.GetValue(Cluster);
        if (parse.GetResult(Cluster) is null)
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(ClusterVariable);
            cluster = string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment;
        }

        var gateways = cluster is null ? [] : GatewayAddress.ParseList(cluster);
        string? plugins = parse.GetValue(Plugins) is { Length: > 0 } folder ? folder
            : Environment.GetEnvironmentVariable(PluginsVariable) is { Length: > 0 } pluginsVariable ? pluginsVariable
            : null;
        if (plugins is not null)
        {
            try
            {
                // The console itself reads and writes specs with custom layers (their JSON carries derived shapes).
                Kernels.Models.LayerTypeResolver.Default = Kernels.Models.LayerTypeResolver.FromFolder(plugins);
            }
            catch (DirectoryNotFoundException e)
            {
                throw new CliException($"--plugins: {e.Message}", ExitCodes.Usage);
            }
        }

        return new ConnectionSettings(
            gateways,
            parse.GetValue(ClusterId) ?? ConnectionSettings.DefaultClusterId,
            parse.GetValue(ServiceId) ?? ConnectionSettings.DefaultServiceId,
            parse.GetValue(OtelConsole),
            parse.GetValue(OtelEndpoint),
            parse.GetValue(Verbose),
            ReadTls(parse),
            plugins is null ? null : Path.GetFullPath(plugins));
    }

    /// <summary>The TLS settings of the options and their environment variables; null when none is given (plain TCP).</summary>
    private DistTrainTlsOptions? ReadTls(ParseResult parse)
    {
        string? Value(Option<string?> option, string variable) =>
            parse.GetValue(option) is { Length: > 0 } given ? given
            : Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : null;

        var tls = new DistTrainTlsOptions
        {
            CertificatePath = Value(TlsCertificate, "DISTTRAIN_TLS_CERT"),
            KeyPath = Value(TlsKey, "DISTTRAIN_TLS_KEY"),
            CaPath = Value(TlsCa, "DISTTRAIN_TLS_CA"),
            ServerName = Value(TlsServerName, "DISTTRAIN_TLS_SERVER_NAME"),
        };
        tls.Enabled = tls.CertificatePath is not null || tls.CaPath is not null;
        if (tls.Enabled && !tls.HasCertificate)
        {
            throw new CliException("TLS: DistTrain silos accept only clients with a certificate of the cluster's CA; give --tls-cert (and --tls-key) as well as --tls-ca.", ExitCodes.Usage);
        }

        return tls.Enabled ? tls : null;
    }

    private static string? ParseGateways(ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
        try
        {
            _ = GatewayAddress.ParseList(text);
            return text;
        }
        catch (FormatException ex)
        {
            result.AddError($"--cluster: {ex.Message}");
            return null;
        }
    }

    private static string? ParseUri(ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            result.AddError($"--otel-endpoint: '{text}' is not an absolute http(s) URL.");
            return null;
        }

        return text;
    }
}
