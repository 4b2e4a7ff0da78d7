using System.Diagnostics.Metrics;
using DistTrain.Silo.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace DistTrain.Client.Tests;

public sealed class TelemetryTests
{
    [Fact]
    public void TheDistTrainMeterIsExportedAndOtherMetersAreNot()
    {
        var exported = new List<MetricSnapshot>();
        var services = new ServiceCollection();
        services.AddDistTrainTelemetry(new ConfigurationBuilder().Build(), configure: metrics => metrics.AddInMemoryExporter(exported));
        using var provider = services.BuildServiceProvider();
        var meterProvider = provider.GetRequiredService<MeterProvider>();
        using var ours = new Meter(TelemetryServiceCollectionExtensions.MeterName);
        using var theirs = new Meter("SomethingElse");
        var name = $"disttrain.test.{Guid.NewGuid():N}";

        ours.CreateCounter<long>(name).Add(3);
        theirs.CreateCounter<long>(name + ".other").Add(5);
        meterProvider.ForceFlush();

        var metric = Assert.Single(exported, m => m.Name == name);
        Assert.Equal(3, metric.MetricPoints.Sum(p => p.GetSumLong()));
        Assert.DoesNotContain(exported, m => m.Name == name + ".other");
    }

    [Fact]
    public void TheOtlpEndpointComesFromTheOptionOrTheStandardVariable()
    {
        var options = new TelemetryOptions { OtlpEndpoint = "http://collector:4317" };
        Assert.Equal(new Uri("http://collector:4317"), options.ResolveOtlpEndpoint());

        var fromConfiguration = new TelemetryOptions();
        new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["DistTrain:Telemetry:OtlpEndpoint"] = "https://otel.example:4318", ["DistTrain:Telemetry:Console"] = "true" })
            .Build().GetSection(TelemetryOptions.SectionName).Bind(fromConfiguration);
        Assert.True(fromConfiguration.Console);
        Assert.Equal(new Uri("https://otel.example:4318"), fromConfiguration.ResolveOtlpEndpoint());

        Assert.Throws<ArgumentException>(() => new TelemetryOptions { OtlpEndpoint = "collector:4317" }.ResolveOtlpEndpoint());
    }
}
