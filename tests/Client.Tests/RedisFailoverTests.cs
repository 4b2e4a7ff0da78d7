using System.Net;
using System.Text.Json;
using DistTrain.Grains;
using DistTrain.Grains.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;

namespace DistTrain.Client.Tests;

/// <summary>
/// The whole user path on Redis: two <c>DistTrain.Silo</c> processes configured by the keys of
/// deploy/README.md, a detached <c>disttrain train</c>, a <c>disttrain watch</c> following it,
/// and the silo process hosting the run's coordinator killed mid-run. The watch rides out the
/// failover and reports the finished run.
/// </summary>
public sealed class RedisFailoverTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-failover-").FullName;
    private readonly string _clusterId = $"failover-{Guid.NewGuid():N}";
    private readonly List<(ProcessRunner Process, int SiloPort, int GatewayPort)> _silos = [];
    private RedisServer? _redis;

    public async Task InitializeAsync()
    {
        if (RedisServer.Executable is not null)
        {
            _redis = await RedisServer.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            silo.Process.Dispose();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [RedisFact]
    public async Task WatchFollowsARunThroughTheKillOfItsCoordinatorsSiloToTheEnd()
    {
        StartSilo();
        StartSilo();
        foreach (var silo in _silos)
        {
            await WaitForPortAsync(silo.GatewayPort);
        }

        string cluster = string.Join(',', _silos.Select(s => $"127.0.0.1:{s.GatewayPort}"));
        using var client = await ConnectAsync();
        var management = client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while ((await management.GetHosts(onlyActive: true)).Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the two silos did not join");
            await Task.Delay(200);
        }

        var csv = await LinearData.WriteCsvAsync(_directory, 1024, weight: -1.5f, bias: 0.4f);
        var started = await ProcessRunner.RunConsoleAsync(
            _directory, CommandTimeout,
            "train", "--cluster", cluster, "--cluster-id", _clusterId, "--service-id", _clusterId, "--preset", "linear-regression", "--csv", csv,
            "--epochs", "40", "--batch-size", "32", "--lr", "0.1", "--run-id", "failover", "--detach");
        Assert.True(started.ExitCode == 0, started.Error);
        using var watcher = ProcessRunner.Start("disttrain.dll", _directory, "watch", "failover", "--cluster", cluster, "--cluster-id", _clusterId, "--service-id", _clusterId, "--json");

        // Kill the silo process that hosts the coordinator (and its parameter server) once the run is under way.
        var run = client.Services.GetRequiredService<IClusterClient>().GetGrain<ITrainingRunGrain>("failover");
        RunStatus status;
        while ((status = await run.GetStatus()).Step < 100)
        {
            Assert.Equal(RunState.Running, status.State);
            await Task.Delay(50);
        }

        string coordinator = status.CoordinatorSilo!;
        var victim = _silos.Single(s => coordinator.StartsWith($"127.0.0.1:{s.SiloPort}@", StringComparison.Ordinal));
        victim.Process.Kill();
        int exit = await watcher.WaitAsync(CommandTimeout);
        var final = await run.GetStatus();

        output.WriteLine($"killed the coordinator's silo at step {status.Step}; watch's notices: {watcher.Error}");
        Assert.True(exit == 0, $"watch exited {exit}: {watcher.Error}");
        using var summary = JsonDocument.Parse(watcher.Output.Trim());
        var root = summary.RootElement;
        Assert.Equal("Completed", root.GetProperty("state").GetString());
        Assert.Equal(40 * 32, root.GetProperty("steps").GetInt64());
        Assert.Equal(-1.5, root.GetProperty("parameters").GetProperty("dense_0/kernel")[0].GetDouble(), 0.02);
        Assert.Equal(0.4, root.GetProperty("parameters").GetProperty("dense_0/bias")[0].GetDouble(), 0.02);
        Assert.NotEqual(coordinator, final.CoordinatorSilo); // it moved to the survivor
    }

    /// <summary>An Orleans client of the test cluster, in this process (fewer process starts than console calls).</summary>
    private async Task<IHost> ConnectAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering([.. _silos.Select(s => new IPEndPoint(IPAddress.Loopback, s.GatewayPort))]);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = _clusterId;
                o.ServiceId = _clusterId;
            });
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private void StartSilo()
    {
        int siloPort = FreePort.Next();
        int gatewayPort = FreePort.Next();
        var process = ProcessRunner.Start(
            "DistTrain.Silo.dll",
            AppContext.BaseDirectory,
            [
                $"--DistTrain:Cluster:RedisConnectionString={_redis!.ConnectionString}",
                $"--DistTrain:Cluster:ClusterId={_clusterId}",
                $"--DistTrain:Cluster:ServiceId={_clusterId}",
                "--DistTrain:Cluster:AdvertisedAddress=127.0.0.1",
                $"--DistTrain:Cluster:SiloPort={siloPort}",
                $"--DistTrain:Cluster:GatewayPort={gatewayPort}",
                "--DistTrain:Devices:Backend=cpu",
                "--DistTrain:Devices:CpuWorkers=1",
                "--DistTrain:Devices:CpuThreads=1",
                $"--DistTrain:Coordinator:CheckpointRoot={Path.Combine(_directory, "checkpoints")}",
                $"--DistTrain:Data:Roots:0={_directory}",
                .. FastFailureDetection.Args,
            ]);
        _silos.Add((process, siloPort, gatewayPort));
    }

    private Task WaitForPortAsync(int port) => ProcessRunner.WaitForPortAsync(port, _silos.Select(s => s.Process), TimeSpan.FromSeconds(120));
}
