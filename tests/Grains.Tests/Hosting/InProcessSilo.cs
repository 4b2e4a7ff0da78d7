using DistTrain.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;

namespace DistTrain.Grains.Tests.Hosting;

/// <summary>
/// A DistTrain silo host in the test process, built the way <c>src/Silo/Program.cs</c> builds
/// it (<c>Host.CreateApplicationBuilder(args)</c> + <see cref="DistTrainSiloExtensions.UseDistTrain"/>)
/// from the same command-line keys users pass; the tests add <see cref="FastFailureDetection.Args"/>.
/// Its grain factory is the tests' client.
/// </summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly IClusterManifestProvider _manifest;
    private bool _stopped;

    private InProcessSilo(IHost host)
    {
        _host = host;
        Grains = host.Services.GetRequiredService<IGrainFactory>();
        Address = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        Membership = host.Services.GetRequiredService<IClusterMembershipService>();
        _manifest = host.Services.GetRequiredService<IClusterManifestProvider>();
    }

    /// <summary>Grains, called from this silo.</summary>
    public IGrainFactory Grains { get; }

    /// <summary>This silo's address.</summary>
    public SiloAddress Address { get; }

    /// <summary>This silo's view of the cluster.</summary>
    public IClusterMembershipService Membership { get; }

    /// <summary>Builds and starts a silo from command-line style <paramref name="args"/> (<c>--DistTrain:Cluster:SiloPort=…</c>).</summary>
    public static async Task<InProcessSilo> StartAsync(params string[] args)
    {
        var builder = Host.CreateApplicationBuilder([.. args, "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Orleans=Error"]);
        builder.UseDistTrain();
        var host = builder.Build();
        await host.StartAsync();
        var membership = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(1), membership.ProbeTimeout); // the keys of FastFailureDetection.Args reached Orleans
        return new InProcessSilo(host);
    }

    /// <summary>The silos this one sees as active.</summary>
    public IReadOnlyList<SiloAddress> ActiveSilos() =>
        [.. Membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)];

    /// <summary>Waits until this silo sees <paramref name="count"/> active silos and knows their grain types (so placement may pick them).</summary>
    public async Task WaitForActiveSilosAsync(int count, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ActiveSilos() is var active && (active.Count != count || !active.All(_manifest.Current.Silos.ContainsKey)))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{ActiveSilos().Count} active silos after {timeout}, expected {count}. {diagnostics?.Invoke()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Stops the silo gracefully.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
