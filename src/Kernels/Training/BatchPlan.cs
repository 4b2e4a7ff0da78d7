using DistTrain.Kernels.Randomness;

namespace DistTrain.Kernels.Training;

/// <summary>
/// Which samples make up each micro-shard of each global step: a pure function of
/// (seed, epoch, step, shard). Epoch <c>e</c> shuffles the sample indices with a seeded
/// Fisher–Yates shuffle; global batch <c>b</c> of the epoch is the slice
/// <c>[b·GlobalBatch, (b+1)·GlobalBatch)</c> of that permutation, cut into
/// <see cref="MicroShards"/> equal micro-shards. The last <c>sampleCount mod GlobalBatch</c>
/// samples of each permutation are dropped. Global step <c>s</c> is batch
/// <c>s mod StepsPerEpoch</c> of epoch <c>s / StepsPerEpoch</c>.
/// </summary>
/// <remarks>
/// Thread-safe. The permutation of the most recent epoch is cached, so the returned spans
/// are views of a cached array: do not hold them across epochs.
/// </remarks>
public sealed class BatchPlan
{
    /// <summary>Base of the shuffle's stream keys (epoch e uses stream ShuffleStreams + e), apart from other uses of the seed.</summary>
    private const ulong ShuffleStreams = 0x5348_5546_0000_0000; // "SHUF"

    private Tuple<long, int[]>? _cached;

    /// <summary>Creates the plan; <paramref name="globalBatch"/> must be a multiple of <paramref name="microShards"/> (a power of two) and at most <paramref name="sampleCount"/>.</summary>
    public BatchPlan(int sampleCount, int globalBatch, int microShards, ulong seed, bool shuffle = true)
    {
        MicroShardTree.CheckLeafCount(microShards);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(globalBatch);
        if (globalBatch % microShards != 0)
        {
            throw new ArgumentException($"The global batch ({globalBatch}) must be a multiple of the number of micro-shards ({microShards}).", nameof(globalBatch));
        }

        if (sampleCount < globalBatch)
        {
            throw new ArgumentException($"The data set has {sampleCount} samples, fewer than one global batch of {globalBatch}.", nameof(sampleCount));
        }

        SampleCount = sampleCount;
        GlobalBatch = globalBatch;
        MicroShards = microShards;
        Seed = seed;
        Shuffle = shuffle;
    }

    /// <summary>Samples in the data set.</summary>
    public int SampleCount { get; }

    /// <summary>Samples per global step.</summary>
    public int GlobalBatch { get; }

    /// <summary>Micro-shards per global step (a power of two).</summary>
    public int MicroShards { get; }

    /// <summary>Seed of the per-epoch shuffle.</summary>
    public ulong Seed { get; }

    /// <summary>Whether each epoch is shuffled (otherwise the samples are taken in order).</summary>
    public bool Shuffle { get; }

    /// <summary>Samples per micro-shard.</summary>
    public int MicroShardSize => GlobalBatch / MicroShards;

    /// <summary>Global steps per epoch (the remainder of the data set is dropped).</summary>
    public int StepsPerEpoch => SampleCount / GlobalBatch;

    /// <summary>The epoch that global step <paramref name="step"/> belongs to.</summary>
    public long EpochOf(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return step / StepsPerEpoch;
    }

    /// <summary>A new array holding the sample order of <paramref name="epoch"/>.</summary>
    public int[] Permutation(long epoch) => (int[])CachedPermutation(epoch).Clone();

    /// <summary>Sample indices of micro-shard <paramref name="shard"/> of global step <paramref name="step"/>.</summary>
    public ReadOnlySpan<int> MicroShardIndices(long step, int shard) => Indices(step, shard, 1);

    /// <summary>Sample indices of the consecutive micro-shards <c>[firstShard, firstShard + shardCount)</c> of step <paramref name="step"/>.</summary>
    public ReadOnlySpan<int> Indices(long step, int firstShard, int shardCount)
    {
        MicroShardTree.CheckRange(firstShard, shardCount, MicroShards);
        long epoch = EpochOf(step);
        int batch = (int)(step - (epoch * StepsPerEpoch));
        int start = (batch * GlobalBatch) + (firstShard * MicroShardSize);
        return CachedPermutation(epoch).AsSpan(start, shardCount * MicroShardSize);
    }

    private int[] CachedPermutation(long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        Tuple<long, int[]>? cached = Volatile.Read(ref _cached);
        if (cached is not null && cached.Item1 == epoch)
        {
            return cached.Item2;
        }

        int[] order = Compute(epoch);
        Volatile.Write(ref _cached, Tuple.Create(epoch, order));
        return order;
    }

    private int[] Compute(long epoch)
    {
        if (Shuffle)
        {
            return SplitMix64.ForStream(Seed, ShuffleStreams + (ulong)epoch).Permutation(SampleCount);
        }

        int[] order = new int[SampleCount];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        return order;
    }
}
