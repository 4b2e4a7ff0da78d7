using DistTrain.Grains;

namespace DistTrain.Runs;

/// <summary>Where a watched run's progress goes: the console's live bar or plain lines, or a program's callbacks.</summary>
public interface IRunProgress
{
    /// <summary>The latest polled status with the measured throughput and the time left.</summary>
    void Update(RunStatus status, double? samplesPerSecond, TimeSpan? remaining);

    /// <summary>An epoch finished (with validation metrics when a split is held out).</summary>
    void EpochDone(EpochRow row, int totalEpochs);

    /// <summary>A one-line notice (early stopping, recovered fault).</summary>
    void Notice(string message);
}
