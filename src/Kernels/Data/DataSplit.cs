using DistTrain.Kernels.Randomness;

namespace DistTrain.Kernels.Data;

/// <summary>
/// Shuffles and splits data sets into views (<see cref="DataSetRange"/> for contiguous
/// ranges, <see cref="SubsetDataSet"/> for index lists); nothing is copied.
/// </summary>
public static class DataSplit
{
    /// <summary>
    /// Keras' <c>validation_split</c>: the LAST <paramref name="validationFraction"/> of the
    /// samples, in file order and before any shuffling, become the validation set. The split
    /// point is ⌊count · (1 − fraction)⌋. A fraction of 0 gives an empty validation set.
    /// </summary>
    public static (DataSetRange Train, DataSetRange Validation) ValidationSplit(IDataSet data, double validationFraction)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(validationFraction >= 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in [0, 1).");
        }

        int splitAt = (int)Math.Floor(data.Count * (1.0 - validationFraction));
        if (validationFraction > 0 && (splitAt == 0 || splitAt == data.Count))
        {
            throw new ArgumentException(
                $"A validation fraction of {validationFraction} of {data.Count} samples leaves {splitAt} for training and {data.Count - splitAt} for validation; both need at least one.",
                nameof(validationFraction));
        }

        return (Range(data, 0, splitAt), Range(data, splitAt, data.Count - splitAt));
    }

    /// <summary>The samples [<paramref name="start"/>, start + <paramref name="count"/>) as a view.</summary>
    public static DataSetRange Range(IDataSet data, int start, int count) => new(data, start, count);

    /// <summary>A view of all samples in the order of a permutation seeded by <paramref name="seed"/> (the same on every machine).</summary>
    public static SubsetDataSet Shuffle(IDataSet data, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new SubsetDataSet(data, new SplitMix64(seed).Permutation(data.Count));
    }

    /// <summary>
    /// Shuffles with <paramref name="seed"/>, then puts the last
    /// ⌈count · <paramref name="testFraction"/>⌉ shuffled samples in the test set.
    /// </summary>
    public static (SubsetDataSet Train, SubsetDataSet Test) ShuffledSplit(IDataSet data, double testFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be in (0, 1).");
        }

        int testCount = (int)Math.Ceiling(data.Count * testFraction);
        int[] order = new SplitMix64(seed).Permutation(data.Count);
        return (new SubsetDataSet(data, order[..^testCount]), new SubsetDataSet(data, order[^testCount..]));
    }
}
