namespace DistTrain.Client.Cli;

/// <summary>Process exit codes of the <c>disttrain</c> console.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command could not do it: bad input, unreachable cluster, failed run.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong (unknown flag, bad value).</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
