using DistTrain.Hosting;

namespace DistTrain;

/// <summary>Where and how <see cref="Model.Fit"/> runs; the defaults train on an embedded cluster in this process.</summary>
public sealed record FitOptions
{
    /// <summary>
    /// Gateways of a running cluster, <c>host:port[,host:port...]</c> (as <c>disttrain --cluster</c>);
    /// null starts an embedded single-process cluster for the run.
    /// </summary>
    public string? Cluster { get; init; }

    /// <summary>Full connection settings (cluster and service ids, metric exporters); overrides <see cref="Cluster"/>.</summary>
    public ConnectionSettings? Connection { get; init; }

    /// <summary>Name of the run (default: generated); <c>disttrain watch/status/stop</c> take it on a running cluster.</summary>
    public string? RunId { get; init; }

    /// <summary>Seed of the initial weights, the shuffles and dropout.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Micro-shards per global batch, a power of two dividing the batch size (fixes the summation order).</summary>
    public int MicroShards { get; init; } = 8;

    /// <summary>Workers to use (0: every device of every silo).</summary>
    public int Workers { get; init; }

    /// <summary>Parameter-server grains sharing the parameter vector (0, the default: one per silo with workers).</summary>
    public int ServerSlices { get; init; }

    /// <summary>
    /// Gradients are pushed in buckets of about this many bytes while the backward is still running, and
    /// weights read in buckets of this size, so communication overlaps compute (0: one push after the backward).
    /// The result is bit-identical for every bucket size.
    /// </summary>
    public int BucketBytes { get; init; } = Grains.RunSpec.DefaultBucketBytes;

    /// <summary>
    /// Wire encoding of pushed gradients: <see cref="Grains.GradientCompression.None"/> (float32, the default) or
    /// <see cref="Grains.GradientCompression.Bf16"/> (bfloat16 with error feedback: half the bytes; bit-identical only among runs with the same setting).
    /// </summary>
    public Grains.GradientCompression Compression { get; init; } = Grains.GradientCompression.None;

    /// <summary>Directory of the run's checkpoints (default: the silo's, <c>~/.disttrain/checkpoints/RUN</c> when embedded); a <see cref="Callbacks.ModelCheckpoint"/> sets its own.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Start from this checkpoint file instead of fresh weights.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>How often the run's status is polled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Receives one-line notices (where a data set came from, early stopping); null drops them.</summary>
    public Action<string>? Log { get; init; }
}
