using Spectre.Console;

namespace DistTrain.Client.Cli;

/// <summary>
/// Where a command writes: <see cref="Out"/> for results (tables, or one JSON object with
/// <c>--json</c>), <see cref="Error"/> for the one-line failure reason, and <see cref="Ansi"/>
/// for Spectre rendering on standard output. Tests pass string writers.
/// </summary>
public sealed class CliConsole
{
    /// <summary>Wraps the two writers; <paramref name="interactive"/> enables live progress bars.</summary>
    public CliConsole(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output;
        Error = error;
        Interactive = interactive;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!interactive)
        {
            // Redirected output is read by programs and tests: keep lines unwrapped.
            Ansi.Profile.Width = 200;
        }
    }

    /// <summary>The console of this process: live rendering only when stdout is a terminal.</summary>
    public static CliConsole ForProcess() =>
        new(Console.Out, Console.Error, !Console.IsOutputRedirected);

    /// <summary>Standard output as plain text.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Spectre view of standard output.</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>True when standard output is a terminal (live progress bars).</summary>
    public bool Interactive { get; }
}
