namespace DistTrain.Grains.Planning;

/// <summary>
/// Splits the micro-shards of a step over workers and the flat parameter vector over
/// parameter-server slices. Pure functions: the reduced gradient does not depend on the
/// split (the tree fixes the order of the sums), so the plan only balances the work.
/// </summary>
public static class StepPlanner
{
    /// <summary>
    /// Contiguous ranges of <paramref name="microShards"/> micro-shards for
    /// <paramref name="workers"/> workers, in worker order: worker i gets
    /// <c>[⌊i·M/W⌋, ⌊(i+1)·M/W⌋)</c>. With W a power of two each range is one aligned
    /// subtree (one partial sum); otherwise sizes differ by at most one. Workers beyond M
    /// get nothing.
    /// </summary>
    public static IReadOnlyList<ShardAssignment> PlanShards(int microShards, int workers)
    {
        if (microShards <= 0 || !int.IsPow2(microShards))
        {
            throw new ArgumentOutOfRangeException(nameof(microShards), $"The number of micro-shards must be a positive power of two, got {microShards}.");
        }

        if (workers <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(workers), $"A step needs at least one worker, got {workers}.");
        }

        int used = Math.Min(workers, microShards);
        var plan = new ShardAssignment[used];
        for (int i = 0; i < used; i++)
        {
            int first = (int)((long)i * microShards / used);
            int end = (int)((long)(i + 1) * microShards / used);
            plan[i] = new ShardAssignment(i, first, end - first);
        }

        return plan;
    }

    /// <summary>
    /// <paramref name="slices"/> contiguous ranges covering <c>[0, total)</c>, slice j being
    /// <c>[⌊j·N/S⌋, ⌊(j+1)·N/S⌋)</c>, as (offset, length) pairs.
    /// </summary>
    public static IReadOnlyList<(int Offset, int Length)> PlanSlices(int total, int slices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        if (slices <= 0 || slices > Math.Max(1, total))
        {
            throw new ArgumentOutOfRangeException(nameof(slices), $"Server slices must be between 1 and the parameter count {total}, got {slices}.");
        }

        var result = new (int, int)[slices];
        for (int j = 0; j < slices; j++)
        {
            int first = (int)((long)j * total / slices);
            int end = (int)((long)(j + 1) * total / slices);
            result[j] = (first, end - first);
        }

        return result;
    }
}
