namespace DistTrain.Grains;

/// <summary>
/// Everything a training run needs, handed to <see cref="ITrainingRunGrain.Start"/>.
/// The model travels as JSON (the Kernels <c>ModelSpec.ToJson()</c> form) so that this
/// contracts assembly does not depend on the engine.
/// </summary>
/// <param name="ModelSpecJson">The model, as <c>ModelSpec.ToJson()</c> writes it.</param>
/// <param name="Data">Which training data the workers read.</param>
/// <param name="BatchSize">Global batch size (samples per step over all workers); a multiple of <paramref name="MicroShards"/>.</param>
/// <param name="MicroShards">Micro-shards per global batch, a power of two independent of the worker count.</param>
/// <param name="Epochs">Number of passes over the data.</param>
/// <param name="Seed">Seed of the weight initialisation and of the per-epoch shuffle.</param>
/// <param name="Optimizer">Optimiser settings applied by the parameter server.</param>
/// <param name="Workers">Workers to use; 0 means every device of every live silo.</param>
/// <param name="ServerSlices">Parameter-server grains, each owning a contiguous slice of the flat parameter vector, placed one per silo in turn over the silos with workers; 0 (the default): one per such silo.</param>
/// <param name="CheckpointDirectory">Where checkpoints go (a path every silo can reach); null uses the silo's configured root plus the run id.</param>
/// <param name="CheckpointInterval">Write a checkpoint every this many steps (0: only at epoch ends and on stop).</param>
/// <param name="MaxSteps">Stop (completed) after this many steps in total; null trains all epochs.</param>
/// <param name="ResumeFrom">Start from this checkpoint file instead of fresh weights; null starts fresh (or from the run's own checkpoint when it has one).</param>
/// <param name="BucketBytes">Gradients are pushed in buckets of about this many bytes as soon as the backward has produced them (the last layer first), and weights are read in buckets of this size so the forward starts on the first layer while the rest arrive; 0 pushes once after the backward.</param>
/// <param name="Compression">Wire encoding of pushed gradients: none (float32, the default), or bfloat16 with error feedback (half the bytes; results are then bit-identical only among runs with the same setting and worker count).</param>
[GenerateSerializer, Immutable, Alias("DistTrain.RunSpec")]
public sealed record RunSpec(
    [property: Id(0)] string ModelSpecJson,
    [property: Id(1)] DataSpec Data,
    [property: Id(2)] int BatchSize,
    [property: Id(3)] int MicroShards,
    [property: Id(4)] int Epochs,
    [property: Id(5)] ulong Seed,
    [property: Id(6)] OptimizerSettings Optimizer,
    [property: Id(7)] int Workers = 0,
    [property: Id(8)] int ServerSlices = 0,
    [property: Id(9)] string? CheckpointDirectory = null,
    [property: Id(10)] int CheckpointInterval = 0,
    [property: Id(11)] long? MaxSteps = null,
    [property: Id(12)] string? ResumeFrom = null,
    [property: Id(13)] int BucketBytes = RunSpec.DefaultBucketBytes,
    [property: Id(14)] GradientCompression Compression = GradientCompression.None)
{
    /// <summary>Default <see cref="BucketBytes"/>: 512 KiB, a few buckets per layer of the presets' big dense layers.</summary>
    public const int DefaultBucketBytes = 512 << 10;
}
