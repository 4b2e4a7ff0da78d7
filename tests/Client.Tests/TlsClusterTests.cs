using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using DistTrain.Hosting;

namespace DistTrain.Client.Tests;

/// <summary>
/// Two <c>DistTrain.Silo</c> processes with mutual TLS (certificates from
/// <c>deploy/make-test-certs.sh</c>) that join each other over TLS; the console with the
/// cluster's client certificate works, and a client without a certificate, with one from
/// another CA or with an expired one is refused in the TLS handshake, before any grain call.
/// </summary>
public sealed class TlsClusterTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-tls-").FullName;
    private readonly List<ProcessRunner> _silos = [];
    private string? _csv;

    public void Dispose()
    {
        foreach (var silo in _silos)
        {
            silo.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private string Certs => Path.Combine(_directory, "certs");

    private string[] ClientTls(string certificate, string key) =>
        ["--tls-cert", certificate, "--tls-key", key, "--tls-ca", Path.Combine(Certs, "ca.pem")];

    [Fact]
    public async Task SilosJoinOverTlsAndRefuseClientsWithoutACertificateFromAnotherCaOrExpired()
    {
        await TestCertificates.MakeWithScriptAsync(Certs);
        var now = DateTimeOffset.UtcNow;
        var expired = TestCertificates.IssueClient(Path.Combine(Certs, "ca.pem"), Path.Combine(Certs, "ca.key"), now.AddDays(-10), now.AddDays(-1), _directory, "expired");
        var foreign = TestCertificates.IssueFromOtherCa(_directory, "foreign");
        var good = (Path.Combine(Certs, "client.pem"), Path.Combine(Certs, "client.key"));

        var primary = (Silo: ClusterConnection.FreeLoopbackPort(), Gateway: ClusterConnection.FreeLoopbackPort());
        var secondary = (Silo: ClusterConnection.FreeLoopbackPort(), Gateway: ClusterConnection.FreeLoopbackPort());
        int link = ClusterConnection.FreeLoopbackPort();
        StartSilo(primary.Silo, primary.Gateway, primary.Silo, link);
        await ProcessRunner.WaitForPortAsync(primary.Gateway, _silos, TimeSpan.FromSeconds(60));
        StartSilo(secondary.Silo, secondary.Gateway, primary.Silo);
        await ProcessRunner.WaitForPortAsync(secondary.Gateway, _silos, TimeSpan.FromSeconds(60));
        var cluster = $"127.0.0.1:{primary.Gateway},127.0.0.1:{secondary.Gateway}";

        // The cluster's own client certificate: both silos (which reached each other over TLS) answer.
        var silos = await WaitForSilosAsync(cluster, 2, good);
        Assert.Equal(2, silos.GetProperty("silos").GetArrayLength());

        // Raw TLS against both ports and the tensor link's: only the cluster's certificate survives the handshake.
        foreach (int port in new[] { primary.Gateway, primary.Silo, link })
        {
            Assert.True(await HandshakeAcceptedAsync(port, LoadPem(good)), $"port {port} refused the cluster's own client certificate");
            Assert.False(await HandshakeAcceptedAsync(port, null), $"port {port} accepted a client without a certificate");
            Assert.False(await HandshakeAcceptedAsync(port, LoadPem(foreign)), $"port {port} accepted a certificate of another CA");
            Assert.False(await HandshakeAcceptedAsync(port, LoadPem(expired)), $"port {port} accepted an expired certificate");
        }

        // The console itself: refused clients cannot start a run (in parallel: each waits for its connect timeout).
        _csv = await LinearData.WriteCsvAsync(_directory, 256, weight: 2f, bias: 0.5f);
        var refused = await Task.WhenAll(
            Train(cluster, "plain", []),
            Train(cluster, "foreign", ClientTls(foreign.Certificate, foreign.Key)),
            Train(cluster, "expired", ClientTls(expired.Certificate, expired.Key)));
        var withoutCertificate = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, "list", "--cluster", cluster, "--tls-ca", Path.Combine(Certs, "ca.pem"));
        var list = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, ["list", "--cluster", cluster, "--json", .. ClientTls(good.Item1, good.Item2)]);

        foreach (var (result, name) in refused.Zip(new[] { "plain", "foreign", "expired" }))
        {
            Assert.True(result.ExitCode != 0, $"the {name} console was let in: {result.Output}");

            // The console does not even present an expired certificate of its own (the silos' refusal of one is tested above).
            string expected = name == "expired" ? "not now" : "cannot reach the cluster";
            Assert.True(result.Error.Contains(expected, StringComparison.Ordinal), $"the {name} console: {result.Error}");
        }

        Assert.Equal(2, withoutCertificate.ExitCode);
        Assert.Contains("give --tls-cert", withoutCertificate.Error, StringComparison.Ordinal);
        Assert.True(list.ExitCode == 0, list.Error);
        Assert.DoesNotContain("refused-", list.Output, StringComparison.Ordinal);

        // A run over both silos with the cluster's certificate: each worker reads and pushes the other silo's slice over the mutual-TLS link.
        var trained = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, ["train", "--cluster", cluster, "--preset", "linear-regression", "--csv", _csv, "--run-id", "tls-run", "--epochs", "3", "--json", .. ClientTls(good.Item1, good.Item2)]);
        Assert.True(trained.ExitCode == 0, $"{trained.Error}{trained.Output}");
        using (var summary = JsonDocument.Parse(trained.Output.Trim()))
        {
            Assert.Equal("Completed", summary.RootElement.GetProperty("state").GetString());
            Assert.Equal(2, summary.RootElement.GetProperty("workers").GetInt32());
        }

        Assert.All(_silos, s => Assert.Contains("(mutual TLS)", s.Output + s.Error, StringComparison.Ordinal));
        Assert.All(_silos, s => Assert.False(s.HasExited, s.Error));
    }

    private Task<CliResult> Train(string cluster, string name, string[] tls) =>
        ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, ["train", "--cluster", cluster, "--preset", "linear-regression", "--csv", _csv!, "--run-id", $"refused-{name}", "--detach", .. tls]);

    /// <summary>
    /// Whether a TLS connection to <paramref name="port"/> presenting <paramref name="certificate"/>
    /// stays open: a refused client sees the handshake fail, or (TLS 1.3, where the server judges
    /// the client's certificate after the client's side is done) the connection closed at once.
    /// </summary>
    private static async Task<bool> HandshakeAcceptedAsync(int port, X509Certificate2? certificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "disttrain-silo",
                ClientCertificates = certificate is null ? null : [certificate],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!,
                RemoteCertificateValidationCallback = (_, _, _, _) => true, // the silo's side is what is tested
            });
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var buffer = new byte[1];
            int read = await tls.ReadAsync(buffer, wait.Token);
            return read > 0; // the silo's Orleans preamble: the connection was accepted
        }
        catch (OperationCanceledException)
        {
            return true; // open and silent: accepted, waiting for this side's preamble
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return false;
        }
    }

    private static X509Certificate2 LoadPem((string Certificate, string Key) files) =>
        X509Certificate2.CreateFromPemFile(files.Certificate, files.Key);

    private void StartSilo(int siloPort, int gatewayPort, int primaryPort, int linkPort = 0)
    {
        _silos.Add(ProcessRunner.Start(
            "DistTrain.Silo.dll",
            AppContext.BaseDirectory,
            $"--DistTrain:Cluster:SiloPort={siloPort}",
            $"--DistTrain:Cluster:GatewayPort={gatewayPort}",
            $"--DistTrain:Cluster:PrimarySiloPort={primaryPort}",
            $"--DistTrain:Link:Port={linkPort}",
            $"--DistTrain:Data:Roots:0={_directory}",
            "--DistTrain:Devices:Backend=cpu",
            "--DistTrain:Devices:CpuWorkers=1",
            "--DistTrain:Devices:CpuThreads=1",
            $"--DistTrain:Coordinator:CheckpointRoot={Path.Combine(_directory, "checkpoints")}",
            "--DistTrain:Tls:Enabled=true",
            $"--DistTrain:Tls:CertificatePath={Path.Combine(Certs, "silo.pem")}",
            $"--DistTrain:Tls:KeyPath={Path.Combine(Certs, "silo.key")}",
            $"--DistTrain:Tls:CaPath={Path.Combine(Certs, "ca.pem")}",
            "--DistTrain:Tls:ServerName=disttrain-silo"));
    }

    private async Task<JsonElement> WaitForSilosAsync(string cluster, int expected, (string Certificate, string Key) client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var result = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, ["cluster", "--cluster", cluster, "--json", .. ClientTls(client.Certificate, client.Key)]);
            if (result.ExitCode == 0)
            {
                using var document = JsonDocument.Parse(result.Output.Trim());
                var root = document.RootElement.Clone();
                if (root.GetProperty("silos").GetArrayLength() == expected || DateTime.UtcNow > deadline)
                {
                    return root;
                }
            }
            else
            {
                Assert.True(DateTime.UtcNow < deadline, $"the console with the cluster's certificate was refused: {result.Error}; silo: {_silos[0].Error}{_silos[0].Output[^Math.Min(3000, _silos[0].Output.Length)..]}");
            }

            await Task.Delay(500);
        }
    }
}
