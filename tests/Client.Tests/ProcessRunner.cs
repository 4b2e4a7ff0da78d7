using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace DistTrain.Client.Tests;

/// <summary>Starts the built <c>disttrain</c> and <c>DistTrain.Silo</c> assemblies as separate processes.</summary>
internal sealed class ProcessRunner : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private ProcessRunner(string assembly, IEnumerable<string> args, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The child must not inherit a cluster address or an OTLP endpoint from the test run.
        start.Environment.Remove("DISTTRAIN_CLUSTER");
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static ProcessRunner Start(string assembly, string workingDirectory, params string[] args) => new(assembly, args, workingDirectory);

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Ends the process at once (SIGKILL, no shutdown) and waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Waits for the exit and returns the exit code; kills the process on timeout.</summary>
    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_process.StartInfo.ArgumentList[0]} {string.Join(' ', _process.StartInfo.ArgumentList.Skip(1))} did not exit within {timeout}. stderr: {Error}");
        }

        // Drain the asynchronous readers.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Runs a console command to its end.</summary>
    /// <summary>
    /// Waits until something accepts TCP connections on 127.0.0.1:<paramref name="port"/>; fails
    /// at once, with its error output, if one of <paramref name="processes"/> has exited, and
    /// after <paramref name="timeout"/> otherwise.
    /// </summary>
    public static async Task WaitForPortAsync(int port, IEnumerable<ProcessRunner> processes, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var exited = processes.FirstOrDefault(p => p.HasExited);
            Assert.True(exited is null, $"a silo exited: {exited?.Error}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    public static async Task<CliResult> RunConsoleAsync(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        using var runner = Start("disttrain.dll", workingDirectory, args);
        var code = await runner.WaitAsync(timeout);
        return new CliResult(code, runner.Output, runner.Error);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}
