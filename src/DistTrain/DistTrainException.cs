namespace DistTrain;

/// <summary>
/// A failure a user of DistTrain can act on: an unreachable cluster, a missing checkpoint,
/// data that cannot be loaded, a run that failed. The message is one line meant for people;
/// the <c>disttrain</c> console prints it after <c>disttrain: </c>.
/// </summary>
public sealed class DistTrainException : Exception
{
    /// <summary>Creates the exception with a one-line, user-facing message.</summary>
    public DistTrainException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
