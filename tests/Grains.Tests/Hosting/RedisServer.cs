using System.Diagnostics;
using System.Net.Sockets;

namespace DistTrain.Grains.Tests.Hosting;

/// <summary>
/// A throw-away <c>redis-server</c> on a free loopback port: no persistence (<c>--save ''</c>,
/// no append-only file), its working directory a temporary folder deleted on dispose.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    /// <summary>The <c>redis-server</c> executable on the PATH, or null when Redis is not installed.</summary>
    public static string? Executable { get; } = FindExecutable();

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis connection string of this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts a server and waits until it accepts connections.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        string executable = Executable ?? throw new InvalidOperationException("redis-server is not installed (Debian: apt-get install redis-server).");
        string directory = Directory.CreateTempSubdirectory("disttrain-redis-").FullName;
        int port = FreePort.Next();
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", directory })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, directory, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"redis-server did not accept connections on port {port} (exited: {process.HasExited}).");
            }
        }
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

    private static string? FindExecutable()
    {
        string[] folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return folders.Concat(["/usr/bin", "/usr/local/bin", "/usr/sbin"])
            .Select(folder => Path.Combine(folder, "redis-server"))
            .FirstOrDefault(File.Exists);
    }
}
