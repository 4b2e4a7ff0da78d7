using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DistTrain.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace DistTrain.Bench;

/// <summary>
/// Silo processes (<c>DistTrain.Silo.dll</c>, development clustering on loopback) each pinned
/// to one core with <c>taskset</c>, and an Orleans client in this process that starts runs and
/// reads their step reports.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private readonly List<Process> _silos;
    private readonly IHost _client;

    private ProcessCluster(List<Process> silos, IHost client)
    {
        _silos = silos;
        _client = client;
    }

    private IGrainFactory Grains => _client.Services.GetRequiredService<IGrainFactory>();

    public static bool CanPin() => File.Exists("/usr/bin/taskset") || File.Exists("/bin/taskset");

    /// <summary>One silo per core in <paramref name="cores"/>, one CPU worker of one thread each; returns once the client sees them all.</summary>
    public static async Task<ProcessCluster> Start(int[] cores, IReadOnlyList<string>? siloArgs = null)
    {
        string siloDll = Path.Combine(AppContext.BaseDirectory, "DistTrain.Silo.dll");
        if (!File.Exists(siloDll))
        {
            throw new FileNotFoundException($"scaling: {siloDll} not found (the bench references src/Silo, so a build puts it there)");
        }

        string clusterId = $"scaling-{Guid.NewGuid():N}";
        var ports = cores.Select(_ => (Silo: FreePort(), Gateway: FreePort())).ToArray();
        var silos = new List<Process>();
        try
        {
            for (int i = 0; i < cores.Length; i++)
            {
                var info = new ProcessStartInfo("taskset")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (string arg in new[]
                {
                    "-c", cores[i].ToString(CultureInfo.InvariantCulture), "dotnet", siloDll,
                    $"--DistTrain:Cluster:ClusterId={clusterId}",
                    $"--DistTrain:Cluster:SiloPort={ports[i].Silo}",
                    $"--DistTrain:Cluster:GatewayPort={ports[i].Gateway}",
                    $"--DistTrain:Cluster:PrimarySiloPort={ports[0].Silo}",
                    "--DistTrain:Devices:Backend=cpu",
                    "--DistTrain:Devices:CpuWorkers=1",
                    "--DistTrain:Devices:CpuThreads=1",
                    $"--DistTrain:Coordinator:CheckpointRoot={Path.Combine(Path.GetTempPath(), "disttrain-scaling")}",
                    "--Logging:LogLevel:Default=Warning",
                }.Concat(siloArgs ?? []))
                {
                    info.ArgumentList.Add(arg);
                }

                var process = Process.Start(info) ?? throw new InvalidOperationException("scaling: could not start a silo process");
                process.OutputDataReceived += (_, e) => { };
                process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine($"silo{i}: {e.Data}"); };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                silos.Add(process);
                await WaitForPort(ports[i].Gateway, process);
            }

            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.UseOrleansClient(client =>
            {
                client.UseStaticClustering([.. ports.Select(p => new IPEndPoint(IPAddress.Loopback, p.Gateway))]);
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = "disttrain";
                });
            });
            var host = builder.Build();
            await host.StartAsync();
            var cluster = new ProcessCluster(silos, host);
            await cluster.WaitForWorkers(cores.Length);
            return cluster;
        }
        catch
        {
            foreach (var p in silos)
            {
                p.Kill(entireProcessTree: true);
            }

            throw;
        }
    }

    /// <summary>Untimed runs for at least <paramref name="seconds"/>: the silos' code is compiled by tiered JIT in the background during their first tens of seconds.</summary>
    public async Task WarmUp(RunSpec spec, double seconds)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            await RunToCompletion(spec);
        }
        while (clock.Elapsed.TotalSeconds < seconds);
    }

    /// <summary>One run of <paramref name="spec"/>; means over its steps after the first <paramref name="warmup"/>.</summary>
    public async Task<OrleansMeasurement> Measure(RunSpec spec, int warmup)
    {
        var (run, status) = await RunToCompletion(spec);
        var reports = (await run.GetReports(warmup - 1)).ToList();
        double Mean(Func<StepReport, double> f) => reports.Average(f);
        double seconds = reports.Sum(r => r.Milliseconds) / 1000;
        return new OrleansMeasurement(
            status.Workers,
            reports.Count * spec.BatchSize / seconds,
            Mean(r => r.Milliseconds),
            Mean(r => r.ComputeMilliseconds),
            Mean(r => r.PushMilliseconds),
            Mean(r => r.PullMilliseconds),
            Mean(r => r.Milliseconds - r.SlowestWorkerMilliseconds),
            Mean(r => r.WireBytes),
            Mean(r => r.BytesPushed),
            Mean(r => r.BytesPulled));
    }

    /// <summary>The active silos' keys (parsable addresses), ordered.</summary>
    public async Task<string[]> SiloKeys()
    {
        var hosts = await Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        return [.. hosts.Keys.Select(a => a.ToParsableString()).Order(StringComparer.Ordinal)];
    }

    public ILinkProbeGrain Probe(string silo) => Grains.GetGrain<ILinkProbeGrain>(silo);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _client.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        _client.Dispose();
        foreach (var p in _silos)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }

            await p.WaitForExitAsync();
            p.Dispose();
        }
    }

    private async Task<(ITrainingRunGrain Run, RunStatus Status)> RunToCompletion(RunSpec spec)
    {
        var run = Grains.GetGrain<ITrainingRunGrain>($"scaling-{Guid.NewGuid():N}");
        var status = await run.Start(spec);
        while (status.State is RunState.Running)
        {
            await Task.Delay(250);
            status = await run.GetStatus();
        }

        return status.State is RunState.Completed
            ? (run, status)
            : throw new InvalidOperationException($"scaling: run ended {status.State}: {status.Error}");
    }

    private async Task WaitForWorkers(int silos)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var management = Grains.GetGrain<IManagementGrain>(0);
            var hosts = await management.GetHosts(onlyActive: true);
            if (hosts.Count >= silos)
            {
                return;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"scaling: {hosts.Count} of {silos} silos active after 60 s");
            }

            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPort(int port, Process process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"scaling: a silo process exited with code {process.ExitCode}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }

        throw new TimeoutException($"scaling: no silo listening on port {port} after 60 s");
    }
}

/// <summary>The local loop in a child process pinned to the given cores (<c>scaling-local</c>), so that it runs on exactly its share of the machine.</summary>
internal static class LocalChild
{
    public static async Task<double> Measure(string model, int batch, int threads, int[] cores, double seconds)
    {
        var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[]
        {
            "-c", string.Join(',', cores), "dotnet", Path.Combine(AppContext.BaseDirectory, "DistTrain.Bench.dll"), "scaling-local",
            "--model", model, "--batch", batch.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture),
            "--seconds", seconds.ToString(CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("scaling: could not start the local loop");
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        string? line = output.Split('\n').LastOrDefault(l => l.StartsWith("samples_per_s=", StringComparison.Ordinal));
        return line is not null && process.ExitCode == 0
            ? double.Parse(line["samples_per_s=".Length..], CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"scaling: the local loop exited with code {process.ExitCode}: {output}");
    }
}
