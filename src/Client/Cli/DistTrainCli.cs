using System.CommandLine;
using System.CommandLine.Invocation;
using DistTrain.Client.Commands;
using DistTrain.Hosting;

namespace DistTrain.Client.Cli;

/// <summary>
/// The <c>disttrain</c> command line: builds the command tree and runs one invocation,
/// turning every failure into a one-line reason on standard error and a non-zero exit code.
/// </summary>
public static class DistTrainCli
{
    /// <summary>Runs the console on this process's standard streams.</summary>
    public static Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        InvokeAsync(args, new CliConsole(output, error, ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected), new CliHooks(), cancellationToken);

    /// <summary>Runs one invocation against <paramref name="console"/>; <paramref name="hooks"/> lets tests observe it.</summary>
    public static async Task<int> InvokeAsync(string[] args, CliConsole console, CliHooks hooks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = BuildRoot(console, hooks);
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            var command = string.Join(' ', CommandPath(parse.CommandResult.Command));
            // The most specific error first: an unknown token explains a missing command.
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            console.Error.WriteLine($"disttrain: {OneLine(error.Message)} (see '{command} --help')");
            return ExitCodes.Usage;
        }

        try
        {
            var configuration = new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            };
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            console.Error.WriteLine($"disttrain: {OneLine(ex.Message)}");
            return ex.ExitCode;
        }
        catch (DistTrainException ex)
        {
            console.Error.WriteLine($"disttrain: {OneLine(ex.Message)}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine("disttrain: cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception ex)
        {
            console.Error.WriteLine($"disttrain: {Describe(ex)}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>The command tree; every command has <c>--help</c>.</summary>
    public static RootCommand BuildRoot(CliConsole console, CliHooks hooks)
    {
        var root = new RootCommand("DistTrain: data-parallel neural-network training on an Orleans cluster.")
        {
            TrainCommand.Create(console, hooks),
            StatusCommand.Create(console, hooks),
            WatchCommand.Create(console, hooks),
            StopCommand.Create(console, hooks),
            ListCommand.Create(console, hooks),
            EvaluateCommand.Create(console, hooks),
            PredictCommand.Create(console, hooks),
            ExportCommand.Create(console, hooks),
            ClusterCommand.Create(console, hooks),
            PlotCommand.Create(console, hooks),
            ModelCommand.Create(console),
        };
        return root;
    }

    /// <summary>One line naming an unexpected failure: its type where the message alone is vague.</summary>
    internal static string Describe(Exception ex) => ErrorText.Describe(ex);

    /// <summary>The first line of <paramref name="message"/>, trimmed.</summary>
    internal static string OneLine(string message) => ErrorText.OneLine(message);

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new Stack<string>();
        for (Symbol? symbol = command; symbol is not null; symbol = symbol.Parents.FirstOrDefault())
        {
            names.Push(symbol is RootCommand ? "disttrain" : symbol.Name);
        }

        return names;
    }
}
