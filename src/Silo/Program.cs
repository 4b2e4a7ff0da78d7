using DistTrain.Silo;
using DistTrain.Silo.Telemetry;
using Microsoft.Extensions.Hosting;

// A DistTrain silo: configuration from appsettings.json, DISTTRAIN__* environment variables
// and the command line (for example --DistTrain:Cluster:RedisConnectionString=host:6379).
// Metrics: --DistTrain:Telemetry:Console=true, or an OTLP endpoint in
// DistTrain:Telemetry:OtlpEndpoint or OTEL_EXPORTER_OTLP_ENDPOINT.
var builder = Host.CreateApplicationBuilder(args);
builder.UseDistTrain();
builder.Services.AddDistTrainTelemetry(builder.Configuration);
await builder.Build().RunAsync();
