using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace DistTrain.Silo.Telemetry;

/// <summary>Registers the OpenTelemetry export of the "DistTrain" meter.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The meter every DistTrain instrument belongs to.</summary>
    public const string MeterName = "DistTrain";

    /// <summary>
    /// Exports the "DistTrain" meter through OpenTelemetry: to the console when
    /// <see cref="TelemetryOptions.Console"/> is set, over OTLP when an endpoint is configured
    /// (option or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>). <paramref name="configure"/> may add
    /// further readers (tests add the in-memory exporter).
    /// </summary>
    public static IServiceCollection AddDistTrainTelemetry(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<TelemetryOptions>? overrides = null,
        Action<MeterProviderBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var options = new TelemetryOptions();
        configuration.GetSection(TelemetryOptions.SectionName).Bind(options);
        overrides?.Invoke(options);
        if (options.ExportIntervalMilliseconds <= 0)
        {
            throw new ArgumentException($"{TelemetryOptions.SectionName}:ExportIntervalMilliseconds must be positive, got {options.ExportIntervalMilliseconds}.");
        }

        var otlp = options.ResolveOtlpEndpoint();
        services.AddSingleton(options);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(MeterName);
                if (options.Console)
                {
                    metrics.AddConsoleExporter((_, reader) =>
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.ExportIntervalMilliseconds);
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
                        {
                            // An endpoint given as an option wins over the environment; for
                            // http/protobuf the exporter then wants the full signal path.
                            exporter.Protocol = options.OtlpHttp ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                            exporter.Endpoint = options.OtlpHttp && otlp.AbsolutePath == "/" ? new Uri(otlp, "v1/metrics") : otlp;
                        }

                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.ExportIntervalMilliseconds;
                    });
                }

                configure?.Invoke(metrics);
            });
        return services;
    }
}
