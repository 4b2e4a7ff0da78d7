using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace DistTrain.Client.Tests;

/// <summary>
/// <c>deploy/local-cluster.sh</c> as a user runs it: <c>start 2</c> (its own build of src/Silo,
/// already built here) in a temporary state folder on free ports makes a test CA with
/// <c>deploy/make-test-certs.sh</c> and starts both silos with mutual TLS; the console connects
/// with the TLS settings the script printed, trains and reads the run's status; a console
/// without the certificate is refused; <c>stop</c> ends the silos.
/// </summary>
public sealed class LocalClusterScriptTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-local-cluster-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string State => Path.Combine(_directory, "state");

    [Fact]
    public async Task StartMakesCertificatesRunsTheSilosWithMutualTlsAndPrintsTheConsoleSettings()
    {
        var (siloPort, gatewayPort) = (ConsecutiveFreePorts(2), ConsecutiveFreePorts(2));
        var started = await ScriptAsync(
            siloPort, gatewayPort, "start", "2",
            "--DistTrain:Devices:Backend=cpu", "--DistTrain:Devices:CpuWorkers=1", "--DistTrain:Devices:CpuThreads=1", $"--DistTrain:Data:Roots:0={_directory}");
        try
        {
            Assert.True(started.ExitCode == 0, $"start failed: {started.Error}{started.Output}");
            string cluster = $"127.0.0.1:{gatewayPort},127.0.0.1:{gatewayPort + 1}";
            Assert.Contains($"--cluster {cluster}", started.Output, StringComparison.Ordinal);
            Assert.Contains("mutual TLS", started.Output, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(State, "certs", "ca.pem")), "no test CA in the state folder");

            // The printed environment form (export DISTTRAIN_TLS_…=…) as the console's flags.
            var exports = started.Output.Split('\n', StringSplitOptions.TrimEntries)
                .Where(l => l.StartsWith("export DISTTRAIN_TLS_", StringComparison.Ordinal))
                .Select(l => l["export ".Length..].Split('=', 2))
                .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            string[] tls =
            [
                "--tls-cert", exports["DISTTRAIN_TLS_CERT"], "--tls-key", exports["DISTTRAIN_TLS_KEY"],
                "--tls-ca", exports["DISTTRAIN_TLS_CA"], "--tls-server-name", exports["DISTTRAIN_TLS_SERVER_NAME"],
            ];
            Assert.Contains($"--tls-cert {exports["DISTTRAIN_TLS_CERT"]} --tls-key {exports["DISTTRAIN_TLS_KEY"]}", started.Output, StringComparison.Ordinal);

            await WaitForSilosAsync(cluster, 2, tls);
            var csv = await LinearData.WriteCsvAsync(_directory, 256, weight: 2f, bias: 0.5f);
            var trained = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, ["train", "--cluster", cluster, "--preset", "linear-regression", "--csv", csv, "--run-id", "script-run", "--epochs", "3", "--json", .. tls]);
            Assert.True(trained.ExitCode == 0, $"{trained.Error}{trained.Output}");
            var status = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, ["status", "script-run", "--cluster", cluster, "--json", .. tls]);
            Assert.True(status.ExitCode == 0, status.Error);
            using (var document = JsonDocument.Parse(status.Output.Trim()))
            {
                Assert.Equal("Completed", document.RootElement.GetProperty("state").GetString());
            }

            // Without the certificate: refused in the handshake, no run reachable.
            var plain = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, "status", "script-run", "--cluster", cluster);
            Assert.True(plain.ExitCode != 0, $"a console without the certificate was let in: {plain.Output}");
            Assert.Contains("cannot reach the cluster", plain.Error, StringComparison.Ordinal);

            foreach (int i in new[] { 0, 1 })
            {
                Assert.Contains("(mutual TLS)", await File.ReadAllTextAsync(Path.Combine(State, $"silo-{i}.log")), StringComparison.Ordinal);
            }

            var listed = await ScriptAsync(siloPort, gatewayPort, "status");
            Assert.Contains("DISTTRAIN_TLS_CA=", listed.Output, StringComparison.Ordinal);
        }
        finally
        {
            var stopped = await ScriptAsync(siloPort, gatewayPort, "stop");
            Assert.True(stopped.ExitCode == 0 && stopped.Output.Contains("stopped 2 silos", StringComparison.Ordinal), $"stop: {stopped.Output}{stopped.Error}");
        }

        Assert.Empty(Directory.GetFiles(State, "*.pid"));
        await WaitUntilClosedAsync(gatewayPort);
        await WaitUntilClosedAsync(gatewayPort + 1);
    }

    /// <summary>Runs <c>bash deploy/local-cluster.sh <paramref name="args"/></c> with this test's ports and state folder.</summary>
    private async Task<CliResult> ScriptAsync(int siloPort, int gatewayPort, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(TestCertificates.RepositoryRoot(), "deploy", "local-cluster.sh"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SILO_PORT"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["GATEWAY_PORT"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DISTTRAIN_LOCAL_DIR"] = State;
        start.Environment.Remove("DISTTRAIN_TLS");
        start.Environment.Remove("DISTTRAIN_CERTS");
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        using var process = Process.Start(start)!;
        // The silos inherit the script's stdout only through their log files; read to the end.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await process.WaitForExitAsync(cancel.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }

    private async Task WaitForSilosAsync(string cluster, int expected, string[] tls)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var result = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, ["cluster", "--cluster", cluster, "--json", .. tls]);
            if (result.ExitCode == 0)
            {
                using var document = JsonDocument.Parse(result.Output.Trim());
                if (document.RootElement.GetProperty("silos").GetArrayLength() == expected)
                {
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"{expected} silos did not answer the console with the printed TLS settings: {result.Error}{result.Output}");
            await Task.Delay(500);
        }
    }

    private static async Task WaitUntilClosedAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
            }
            catch (SocketException)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"a silo still listens on port {port} after stop");
            await Task.Delay(200);
        }
    }

    /// <summary>The first of <paramref name="count"/> consecutive loopback ports that are free now (the script numbers its silos' ports from a base).</summary>
    private static int ConsecutiveFreePorts(int count)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            var listeners = new List<TcpListener>();
            try
            {
                using var first = new TcpListener(IPAddress.Loopback, 0);
                first.Start();
                int port = ((IPEndPoint)first.LocalEndpoint).Port;
                first.Stop();
                if (port + count > 65535)
                {
                    continue;
                }

                for (int i = 0; i < count; i++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, port + i);
                    listener.Start();
                    listeners.Add(listener);
                }

                return port;
            }
            catch (SocketException)
            {
                // taken; try another base
            }
            finally
            {
                foreach (var listener in listeners)
                {
                    listener.Stop();
                }
            }
        }

        throw new InvalidOperationException($"no {count} consecutive free ports");
    }
}
