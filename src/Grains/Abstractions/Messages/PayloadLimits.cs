namespace DistTrain.Grains;

/// <summary>Sizes of the messages that carry vectors.</summary>
public static class PayloadLimits
{
    /// <summary>
    /// Largest vector payload in one message: 16 MiB (4 Mi floats). Orleans closes the
    /// connection for messages over 100 MB; smaller chunks also keep one slow message from
    /// holding a connection for long.
    /// </summary>
    public const int MaxChunkBytes = 16 << 20;

    /// <summary>Floats in the largest chunk.</summary>
    public const int MaxChunkFloats = MaxChunkBytes / sizeof(float);
}
