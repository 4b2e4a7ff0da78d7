using DistTrain.Client.Cli;

namespace DistTrain.Client.Tests;

/// <summary>What one in-process invocation of the console produced.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>Standard error's non-empty lines.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Runs the console's entry point in this process with captured output.</summary>
internal static class CliRunner
{
    public static async Task<CliResult> RunAsync(CliHooks? hooks, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await DistTrainCli.InvokeAsync(args, new CliConsole(output, error, interactive: false), hooks ?? new CliHooks());
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(null, args);
}
