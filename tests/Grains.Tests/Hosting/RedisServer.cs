using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace DistTrain.Grains.Tests.Hosting;

/// <summary>
/// A throw-away <c>redis-server</c> on a free loopback port, its working directory a temporary
/// folder deleted on dispose. By default without persistence (<c>--save ''</c>, no append-only
/// file); <see cref="StartAsync(bool)"/> with <c>persistent: true</c> writes an append-only file
/// synced on every write (<c>--appendonly yes --appendfsync always</c>), so that
/// <see cref="Kill"/> and <see cref="StartAgainAsync"/> crash and restart it on the same port
/// with every acknowledged write intact.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly bool _persistent;
    private Process _process;

    private RedisServer(Process process, string directory, int port, bool persistent)
    {
        _process = process;
        _directory = directory;
        _persistent = persistent;
        Port = port;
    }

    /// <summary>The <c>redis-server</c> executable on the PATH, or null when Redis is not installed.</summary>
    public static string? Executable { get; } = FindExecutable();

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis connection string of this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Whether the server process runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Starts a server and waits until it accepts connections; <paramref name="persistent"/>: an append-only file synced on every write.</summary>
    public static async Task<RedisServer> StartAsync(bool persistent = false)
    {
        _ = Executable ?? throw new InvalidOperationException("redis-server is not installed (Debian: apt-get install redis-server).");
        string directory = Directory.CreateTempSubdirectory("disttrain-redis-").FullName;
        int port = FreePort.Next();
        var server = new RedisServer(Launch(directory, port, persistent), directory, port, persistent);
        try
        {
            await server.WaitUntilAcceptingAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Ends the server at once (SIGKILL: no final save, as a crash) and waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Starts the killed server again on the same port and folder (a persistent one reloads its append-only file) and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        if (!_process.HasExited)
        {
            throw new InvalidOperationException("redis-server still runs; Kill it first.");
        }

        _process.Dispose();
        _process = Launch(_directory, Port, _persistent);
        await WaitUntilAcceptingAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static Process Launch(string directory, int port, bool persistent)
    {
        var start = new ProcessStartInfo(Executable!)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] persistence = persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
        string[] args = ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, .. persistence, "--dir", directory];
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilAcceptingAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                throw new InvalidOperationException($"redis-server did not accept connections on port {Port} (exited: {_process.HasExited}).");
            }
        }
    }

    private static string? FindExecutable()
    {
        string[] folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return folders.Concat(["/usr/bin", "/usr/local/bin", "/usr/sbin"])
            .Select(folder => Path.Combine(folder, "redis-server"))
            .FirstOrDefault(File.Exists);
    }
}
