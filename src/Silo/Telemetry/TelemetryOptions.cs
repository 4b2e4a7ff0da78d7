namespace DistTrain.Silo.Telemetry;

/// <summary>
/// Where the "DistTrain" meter is exported. Bound from the <see cref="SectionName"/>
/// configuration section (for example <c>DistTrain__Telemetry__Console=true</c> in the
/// environment or <c>--DistTrain:Telemetry:OtlpEndpoint=http://collector:4317</c> on a
/// silo's command line).
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "DistTrain:Telemetry";

    /// <summary>Writes every export to standard output through the OpenTelemetry console exporter.</summary>
    public bool Console { get; set; }

    /// <summary>
    /// OTLP collector endpoint. When empty, the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
    /// environment variable is used; when both are empty, nothing is exported over OTLP.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// Sends <see cref="OtlpEndpoint"/> OTLP over HTTP/protobuf instead of gRPC. (An endpoint
    /// taken from the environment follows <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>.)
    /// </summary>
    public bool OtlpHttp { get; set; }

    /// <summary>How often the periodic readers export, in milliseconds.</summary>
    public int ExportIntervalMilliseconds { get; set; } = 10_000;

    /// <summary>The <c>service.name</c> resource attribute (silo or client).</summary>
    public string ServiceName { get; set; } = "disttrain-silo";

    /// <summary>The standard OpenTelemetry environment variable naming the OTLP endpoint.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// The OTLP endpoint in effect: <see cref="OtlpEndpoint"/>, else the environment
    /// variable, else <see langword="null"/>.
    /// </summary>
    public Uri? ResolveOtlpEndpoint()
    {
        var text = string.IsNullOrWhiteSpace(OtlpEndpoint)
            ? Environment.GetEnvironmentVariable(OtlpEndpointVariable)
            : OtlpEndpoint;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"OTLP endpoint '{text}' is not an absolute http(s) URI.");
        }

        return uri;
    }
}
