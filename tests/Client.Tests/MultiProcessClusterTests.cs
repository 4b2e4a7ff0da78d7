using System.Text.Json;
using DistTrain.Hosting;

namespace DistTrain.Client.Tests;

/// <summary>
/// Two <c>DistTrain.Silo</c> processes on loopback (development clustering: the second
/// joins the first as primary), the console as a third process training on them, and a
/// fourth re-attaching with <c>watch</c>.
/// </summary>
public sealed class MultiProcessClusterTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _directory = Directory.CreateTempSubdirectory("disttrain-cluster-").FullName;
    private readonly List<ProcessRunner> _silos = [];

    public void Dispose()
    {
        foreach (var silo in _silos)
        {
            silo.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task TwoSiloProcessesTrainAndASecondConsoleWatchesTheRun()
    {
        var primary = (Silo: ClusterConnection.FreeLoopbackPort(), Gateway: ClusterConnection.FreeLoopbackPort());
        var secondary = (Silo: ClusterConnection.FreeLoopbackPort(), Gateway: ClusterConnection.FreeLoopbackPort());
        StartSilo(primary.Silo, primary.Gateway, primary.Silo);
        await WaitForPortAsync(primary.Gateway);
        StartSilo(secondary.Silo, secondary.Gateway, primary.Silo);
        await WaitForPortAsync(secondary.Gateway);
        var cluster = $"127.0.0.1:{primary.Gateway},127.0.0.1:{secondary.Gateway}";

        var silos = await WaitForSilosAsync(cluster, expected: 2);
        Assert.Equal(2, silos.GetProperty("silos").GetArrayLength());
        Assert.True(silos.GetProperty("workers").GetInt32() >= 2);

        var csv = await LinearData.WriteCsvAsync(_directory, 1024, weight: -1.5f, bias: 0.4f);
        using var trainer = ProcessRunner.Start(
            "disttrain.dll",
            _directory,
            "train", "--cluster", cluster, "--preset", "linear-regression", "--csv", csv, "--epochs", "10", "--batch-size", "32",
            "--lr", "0.1", "--run-id", "two-silos", "--json");
        await WaitForRunAsync(cluster, "two-silos", trainer);
        var watched = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, "watch", "two-silos", "--cluster", cluster, "--json");
        var trained = new CliResult(await trainer.WaitAsync(CommandTimeout), trainer.Output, trainer.Error);

        Assert.True(trained.ExitCode == 0, trained.Error);
        Assert.True(watched.ExitCode == 0, watched.Error);
        foreach (var result in new[] { trained, watched })
        {
            using var summary = JsonDocument.Parse(result.Output.Trim());
            var root = summary.RootElement;
            Assert.Equal("two-silos", root.GetProperty("runId").GetString());
            Assert.Equal("Completed", root.GetProperty("state").GetString());
            Assert.Equal(cluster, root.GetProperty("cluster").GetString());
            Assert.Equal(10, root.GetProperty("epochs").GetInt32());
            Assert.Equal(320, root.GetProperty("steps").GetInt64());
            Assert.Equal(2, root.GetProperty("workers").GetInt32());
            var parameters = root.GetProperty("parameters");
            Assert.Equal(-1.5, parameters.GetProperty("dense_0/kernel")[0].GetDouble(), 0.02);
            Assert.Equal(0.4, parameters.GetProperty("dense_0/bias")[0].GetDouble(), 0.02);
        }

        var list = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, "list", "--cluster", cluster, "--json");
        Assert.True(list.ExitCode == 0, list.Error);
        Assert.Contains("two-silos", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLibraryFitsOnARunningSiloFromACsvFileAndValidatesWithSamplesInMemory()
    {
        var ports = (Silo: ClusterConnection.FreeLoopbackPort(), Gateway: ClusterConnection.FreeLoopbackPort());
        StartSilo(ports.Silo, ports.Gateway, ports.Silo);
        await WaitForPortAsync(ports.Gateway);
        var cluster = $"127.0.0.1:{ports.Gateway}";
        await WaitForSilosAsync(cluster, expected: 1);

        var csv = await LinearData.WriteCsvAsync(_directory, 512, weight: 0.8f, bias: 1.2f);
        float[] x = [-1f, 0f, 1f, 2f];
        var model = new Sequential(1).Dense(1).Compile(new Sgd(0.1f, Momentum: 0.9f), "mse");
        var epochs = 0;
        var history = await model.FitAsync(
            DataSource.Csv(csv, "y"),
            epochs: 8,
            batchSize: 32,
            validationData: DataSource.FromArrays(x, [.. x.Select(v => (0.8f * v) + 1.2f)], [1], 1),
            callbacks: [new Callbacks.LambdaCallback(onEpochEnd: _ => epochs++)],
            options: new FitOptions { Cluster = cluster, RunId = "library-on-silo", PollInterval = TimeSpan.FromMilliseconds(100) });

        Assert.Equal("Completed", history.Summary.State);
        Assert.Equal(cluster, history.Summary.Cluster);
        Assert.Equal((8, 8, 128L), (history.Epochs.Count, epochs, history.Summary.Steps));
        Assert.True(history["val_loss"][^1] < 1e-3, $"val_loss {history["val_loss"][^1]}");
        Assert.Equal(0.8, model.Weights![0], 0.02);
        Assert.Equal(1.2, model.Weights[1], 0.02);

        // The run is the silo's, like any console run: listed, with its checkpoint in the silo's root.
        var list = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, "list", "--cluster", cluster, "--json");
        Assert.True(list.ExitCode == 0, list.Error);
        Assert.Contains("library-on-silo", list.Output, StringComparison.Ordinal);
        Assert.StartsWith(Path.Combine(_directory, "checkpoints"), history.Summary.Checkpoint, StringComparison.Ordinal);
    }

    private void StartSilo(int siloPort, int gatewayPort, int primaryPort)
    {
        _silos.Add(ProcessRunner.Start(
            "DistTrain.Silo.dll",
            AppContext.BaseDirectory,
            $"--DistTrain:Cluster:SiloPort={siloPort}",
            $"--DistTrain:Cluster:GatewayPort={gatewayPort}",
            $"--DistTrain:Cluster:PrimarySiloPort={primaryPort}",
            "--DistTrain:Devices:Backend=cpu",
            "--DistTrain:Devices:CpuWorkers=1",
            "--DistTrain:Devices:CpuThreads=1",
            $"--DistTrain:Coordinator:CheckpointRoot={Path.Combine(_directory, "checkpoints")}",
            $"--DistTrain:Data:Roots:0={_directory}"));
    }

    private Task WaitForPortAsync(int port) => ProcessRunner.WaitForPortAsync(port, _silos, TimeSpan.FromSeconds(60));

    private async Task<JsonElement> WaitForSilosAsync(string cluster, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var result = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, "cluster", "--cluster", cluster, "--json");
            if (result.ExitCode == 0)
            {
                var root = JsonDocument.Parse(result.Output.Trim()).RootElement;
                if (root.GetProperty("silos").GetArrayLength() >= expected || DateTime.UtcNow > deadline)
                {
                    return root;
                }
            }
            else
            {
                Assert.True(DateTime.UtcNow < deadline, result.Error);
            }

            await Task.Delay(500);
        }
    }

    private async Task WaitForRunAsync(string cluster, string run, ProcessRunner trainer)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!trainer.HasExited)
        {
            var status = await ProcessRunner.RunConsoleAsync(_directory, CommandTimeout, "status", run, "--cluster", cluster, "--json");
            if (status.ExitCode == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, status.Error);
            await Task.Delay(300);
        }
    }
}
