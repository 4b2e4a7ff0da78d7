using DistTrain.Grains;

namespace DistTrain.Client.Output;

/// <summary>Where a watched run's progress goes: a live bar, plain lines, or nowhere (<c>--json</c>).</summary>
internal interface IRunProgress
{
    /// <summary>The latest polled status with the measured throughput and the time left.</summary>
    void Update(RunStatus status, double? samplesPerSecond, TimeSpan? remaining);

    /// <summary>An epoch finished (with validation metrics when a split is held out).</summary>
    void EpochDone(EpochRow row, int totalEpochs);

    /// <summary>A one-line notice (early stopping, recovered fault).</summary>
    void Notice(string message);
}
