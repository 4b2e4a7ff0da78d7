using System.Diagnostics;
using System.Text;

namespace DistTrain.Grains.Tests.Hosting;

/// <summary>
/// The built <c>DistTrain.Silo</c> program as a child process, configured by command-line
/// keys. <see cref="Kill"/> ends it with SIGKILL: no shutdown, no goodbye to the membership
/// table; the other silos find out by their probes.
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private SiloProcess(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DistTrain.Silo.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the silo wrote (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                string text = _log.ToString();
                return text.Length > 4000 ? text[^4000..] : text;
            }
        }
    }

    /// <summary>Whether it runs, and its last lines, for failure messages.</summary>
    public string Describe() =>
        $"Silo process {(HasExited ? $"exited with code {_process.ExitCode}" : "still running")}; its output: {Log}";

    /// <summary>Starts <c>dotnet DistTrain.Silo.dll</c> with <paramref name="args"/>.</summary>
    public static SiloProcess Start(params string[] args) => new(args);

    /// <summary>Ends the process at once (SIGKILL) and waits for it to be gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>Asks the silo to shut down (SIGTERM: Orleans leaves the membership gracefully), waits up to 30 s, then kills it.</summary>
    public void Stop()
    {
        Signal(15);
        if (!_process.WaitForExit(30_000))
        {
            Kill();
        }
    }

    /// <summary>Stops the process where it is (SIGSTOP): it neither dies nor answers, as a silo swapping or stuck in the kernel.</summary>
    public void Pause() => Signal(19);

    /// <summary>Lets a paused process go on (SIGCONT).</summary>
    public void Resume() => Signal(18);

    private void Signal(int signal)
    {
        if (!_process.HasExited && SendSignal(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"signal {signal} to process {_process.Id} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <inheritdoc />
    public void Dispose()
    {
        Resume();
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
