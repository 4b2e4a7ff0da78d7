namespace DistTrain.Client.Cli;

/// <summary>
/// A failure the user can act on (missing file, unreachable cluster, malformed spec). The
/// console prints its message as one line on standard error and exits with
/// <see cref="ExitCode"/>.
/// </summary>
public sealed class CliException : Exception
{
    /// <summary>Creates the exception with a one-line, user-facing message.</summary>
    public CliException(string message, int exitCode = ExitCodes.Failure, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code to return.</summary>
    public int ExitCode { get; }
}
