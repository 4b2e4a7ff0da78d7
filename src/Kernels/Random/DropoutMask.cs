namespace DistTrain.Kernels.Randomness;

/// <summary>
/// Dropout masks as a pure function of (seed, layer, step, row): each row of a global batch
/// gets its own <see cref="SplitMix64"/> stream, so a sample's mask is the same whichever
/// worker, micro-shard grouping or backend computes it. Inverted dropout (Keras): a kept
/// element is scaled by 1/(1 − rate) so the expected activation is unchanged.
/// </summary>
public static class DropoutMask
{
    /// <summary>
    /// Writes the masks of rows <c>[firstRow, firstRow + rows)</c> of global step
    /// <paramref name="step"/>: <c>mask[r, j] = u ≥ rate ? 1/(1 − rate) : 0</c> with u uniform in
    /// [0, 1) from the row's stream. mask: (rows, rowSize).
    /// </summary>
    /// <param name="seed">Run seed.</param>
    /// <param name="layer">A stable id of the dropout layer (for example a hash of its name), so that two layers draw different masks.</param>
    /// <param name="step">Global training step.</param>
    /// <param name="firstRow">Position in the global batch of the first row.</param>
    /// <param name="rows">Rows to write.</param>
    /// <param name="rowSize">Floats per row.</param>
    /// <param name="rate">Fraction dropped, in [0, 1).</param>
    /// <param name="mask">Destination of at least rows × rowSize floats.</param>
    public static void Fill(ulong seed, ulong layer, long step, int firstRow, int rows, int rowSize, float rate, Span<float> mask)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(rowSize);
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        }

        if (mask.Length < (long)rows * rowSize)
        {
            throw new ArgumentException($"mask holds {mask.Length} floats but {rows} rows of {rowSize} need {(long)rows * rowSize}.", nameof(mask));
        }

        float keep = 1f / (1f - rate);
        ulong stepStream = SplitMix64.ForStream(SplitMix64.ForStream(seed, layer).NextUInt64(), (ulong)step).NextUInt64();
        for (int r = 0; r < rows; r++)
        {
            var random = SplitMix64.ForStream(stepStream, (ulong)(firstRow + r));
            Span<float> row = mask.Slice(r * rowSize, rowSize);
            for (int j = 0; j < row.Length; j++)
            {
                row[j] = random.NextSingle() >= rate ? keep : 0f;
            }
        }
    }
}
