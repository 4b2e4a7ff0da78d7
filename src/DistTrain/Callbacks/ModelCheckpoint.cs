using DistTrain.Kernels.Training;

namespace DistTrain.Callbacks;

/// <summary>
/// Keeps a checkpoint every <paramref name="everyEpochs"/> epochs: the run writes its checkpoint
/// (weights, momentum, data position: resumable with <see cref="FitOptions.ResumeFrom"/> or
/// <c>disttrain train --resume-from</c>) into <paramref name="directory"/> at every epoch end, and
/// this callback copies the one of every N-th epoch to <c>epoch-NNN.msgpack</c> beside it. On a
/// running cluster the directory must be one path that the silos and this program both reach.
/// </summary>
/// <remarks>
/// The run keeps only its latest checkpoint and the one before; the copy is made when this
/// program notices the epoch's end (within a poll interval). An epoch whose checkpoint was
/// already replaced by then (epochs shorter than the poll interval) is listed in
/// <see cref="Missed"/>; the last epoch's checkpoint is always kept.
/// </remarks>
/// <param name="directory">Directory of the run's checkpoints.</param>
/// <param name="everyEpochs">Keep the checkpoint of every this many epochs, at least 1.</param>
public sealed class ModelCheckpoint(string directory, int everyEpochs = 1) : Callback
{
    private readonly List<string> _saved = [];
    private int _stepsPerEpoch;

    /// <summary>The directory, as a full path.</summary>
    public string Directory { get; } = Path.GetFullPath(directory ?? throw new ArgumentNullException(nameof(directory)));

    /// <summary>Epochs between kept checkpoints.</summary>
    public int EveryEpochs { get; } = everyEpochs >= 1 ? everyEpochs : throw new ArgumentOutOfRangeException(nameof(everyEpochs), everyEpochs, "ModelCheckpoint: everyEpochs must be at least 1.");

    /// <summary>How long to wait for the epoch's checkpoint to appear.</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The checkpoint files kept so far.</summary>
    public IReadOnlyList<string> Saved => _saved;

    /// <summary>Epochs whose checkpoint was not found in time (overwritten by a later one, or not readable here).</summary>
    public IList<int> Missed { get; } = [];

    internal override string? CheckpointDirectory => Directory;

    /// <inheritdoc />
    public override void OnTrainBegin(TrainBeginLogs logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        _stepsPerEpoch = logs.StepsPerEpoch;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(EpochLogs logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        if (logs.Epoch % EveryEpochs != 0)
        {
            return;
        }

        // The coordinator writes the epoch's checkpoint after it reports the epoch: wait for it.
        var step = (long)logs.Epoch * _stepsPerEpoch;
        var source = CheckpointStore.PathIn(Directory);
        var deadline = DateTime.UtcNow + Wait;
        do
        {
            var latest = CheckpointStore.Resolve(source) is { } file ? TryLoad(file) : null;
            var candidate = latest?.Step == step ? latest : latest?.Step > step && TryLoad(source + CheckpointStore.PreviousSuffix) is { } previous && previous.Step == step ? previous : null;
            if (candidate is not null)
            {
                var target = Path.Combine(Directory, $"epoch-{logs.Epoch:D3}.msgpack");
                CheckpointStore.Save(target, candidate);
                _saved.Add(target);
                return;
            }

            if (latest?.Step > step)
            {
                break;
            }

            Thread.Sleep(50);
        }
        while (DateTime.UtcNow < deadline);
        Missed.Add(logs.Epoch);
    }

    private static Checkpoint? TryLoad(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            return CheckpointStore.Load(file);
        }
        catch (Exception ex) when (ex is CheckpointException or IOException)
        {
            return null;
        }
    }
}
