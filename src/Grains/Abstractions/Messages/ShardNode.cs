namespace DistTrain.Grains;

/// <summary>
/// A node of the fixed micro-shard tree: it covers micro-shards
/// <c>[Index·2^Level, (Index + 1)·2^Level)</c> of a global batch.
/// </summary>
/// <param name="Level">Height above the leaves (0: one micro-shard).</param>
/// <param name="Index">Position among the nodes of that level.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.ShardNode")]
public readonly record struct ShardNode([property: Id(0)] int Level, [property: Id(1)] int Index)
{
    /// <summary>First micro-shard covered.</summary>
    public int First => Index << Level;

    /// <summary>Number of micro-shards covered.</summary>
    public int Count => 1 << Level;

    /// <inheritdoc />
    public override string ToString() => $"[{First}, {First + Count})";
}
