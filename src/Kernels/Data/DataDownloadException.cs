namespace DistTrain.Kernels.Data;

/// <summary>
/// A data file could not be obtained: every mirror failed (unreachable, HTTP error, timeout,
/// wrong size or SHA-256). The message lists each attempt and where the file can be put by hand.
/// </summary>
public sealed class DataDownloadException : Exception
{
    /// <summary>Creates the exception with a message that already lists the attempts.</summary>
    public DataDownloadException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
