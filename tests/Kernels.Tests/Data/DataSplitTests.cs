using DistTrain.Kernels.Data;

namespace DistTrain.Kernels.Tests.Data;

public class DataSplitTests
{
    /// <summary>Sample i has inputs [i, 10·i] and target [−i].</summary>
    private static InMemoryDataSet Numbered(int count) => new(
        [.. Enumerable.Range(0, count).SelectMany(i => new[] { (float)i, 10f * i })],
        [.. Enumerable.Range(0, count).Select(i => -(float)i)],
        [2],
        1);

    private static float[] Ids(IDataSet data) => DataFiles.ReadAll(data).Inputs.Where((_, k) => k % 2 == 0).ToArray();

    [Fact]
    public void SubsetReadsTheChosenSamplesInOrder()
    {
        var subset = new SubsetDataSet(Numbered(6), [4, 1, 1, 5]);

        (float[] inputs, float[] targets) = DataFiles.ReadAll(subset);

        Assert.Equal(4, subset.Count);
        Assert.Equal([4f, 40f, 1f, 10f, 1f, 10f, 5f, 50f], inputs);
        Assert.Equal([-4f, -1f, -1f, -5f], targets);
    }

    [Fact]
    public void SubsetOfASubsetComposesIndicesOverTheOriginal()
    {
        InMemoryDataSet source = Numbered(6);
        var outer = new SubsetDataSet(new SubsetDataSet(source, [5, 3, 1]), [2, 0]);

        Assert.Same(source, outer.Source);
        Assert.Equal([1, 5], outer.Indices.ToArray());
        Assert.Equal([1f, 5f], Ids(outer));
    }

    [Fact]
    public void SubsetRejectsIndicesOutsideTheSource()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SubsetDataSet(Numbered(3), [0, 3]));
        var subset = new SubsetDataSet(Numbered(3), [0, 1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => subset.Read([2], new float[2], new float[1]));
    }

    [Theory]
    [InlineData(10, 0.2, 8)]
    [InlineData(10, 0.25, 7)]
    [InlineData(7, 0.5, 3)]
    [InlineData(5, 0.0, 5)]
    public void ValidationSplitTakesTheLastFractionBeforeShuffling(int count, double fraction, int trainCount)
    {
        (DataSetRange train, DataSetRange validation) = DataSplit.ValidationSplit(Numbered(count), fraction);

        Assert.Equal(Enumerable.Range(0, trainCount).Select(i => (float)i), Ids(train));
        Assert.Equal(Enumerable.Range(trainCount, count - trainCount).Select(i => (float)i), Ids(validation));
    }

    [Fact]
    public void ValidationSplitRejectsFractionsThatEmptyASide()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.ValidationSplit(Numbered(10), 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.ValidationSplit(Numbered(10), -0.1));
        Assert.Throws<ArgumentException>(() => DataSplit.ValidationSplit(Numbered(3), 0.9));
        Assert.Throws<ArgumentException>(() => DataSplit.ValidationSplit(Numbered(3), 1e-20));
    }

    [Fact]
    public void ShuffleIsTheSeededPermutation()
    {
        SubsetDataSet shuffled = DataSplit.Shuffle(Numbered(10), seed: 42);

        // The reference permutation of seed 42 (see SplitMix64Tests).
        Assert.Equal([8f, 3f, 6f, 5f, 4f, 0f, 9f, 2f, 1f, 7f], Ids(shuffled));
        Assert.Equal(Ids(shuffled), Ids(DataSplit.Shuffle(Numbered(10), seed: 42)));
    }

    [Fact]
    public void ShuffledSplitPartitionsTheSamples()
    {
        (SubsetDataSet train, SubsetDataSet test) = DataSplit.ShuffledSplit(Numbered(101), 0.2, seed: 7);

        Assert.Equal(21, test.Count);
        Assert.Equal(80, train.Count);
        Assert.Equal(Enumerable.Range(0, 101).Select(i => (float)i), Ids(train).Concat(Ids(test)).Order());
        Assert.NotEqual(Enumerable.Range(0, 80).Select(i => (float)i), Ids(train));
    }

    [Fact]
    public void RangeAndFlattenAreViews()
    {
        DataSetRange range = DataSplit.Range(Numbered(6), 2, 3);
        ReshapedDataSet flat = ReshapedDataSet.Flatten(new InMemoryDataSet(new float[12], new float[2], [2, 3, 1], 1));

        Assert.Equal([2f, 3f, 4f], Ids(range));
        Assert.Equal([6], flat.InputShape);
        Assert.Throws<ArgumentException>(() => new ReshapedDataSet(flat, [5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Range(Numbered(6), 4, 3));
    }
}
