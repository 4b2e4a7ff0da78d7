using DistTrain.Callbacks;

namespace DistTrain.Client.Tests.Library;

/// <summary>The callbacks and data sources that need no cluster.</summary>
public sealed class CallbackAndDataTests
{
    [Fact]
    public void EarlyStoppingStopsTheModelAfterPatienceEpochsWithoutImprovement()
    {
        var model = new Sequential(1).Dense(1);
        var stopping = new Callbacks.EarlyStopping("val_loss", patience: 2, minDelta: 0.01) { Model = model };
        double[] losses = [1.0, 0.5, 0.495, 0.6, 0.2];
        for (var e = 0; e < 4; e++)
        {
            Assert.False(model.StopTraining, $"stopped before epoch {e + 1}");
            stopping.OnEpochEnd(new EpochLogs(e + 1, 1, null, losses[e], null, 0.1));
        }

        // 0.495 is not better than 0.5 by more than 0.01, 0.6 is worse: two epochs without improvement.
        Assert.True(model.StopTraining);
        Assert.Equal(4, stopping.StoppedEpoch);
        Assert.Throws<ArgumentException>(() => new Callbacks.EarlyStopping("val_auc"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Callbacks.EarlyStopping("loss", patience: 0));
    }

    [Fact]
    public void ClassLabelsBecomeOneHotTargetsAndBadLabelsAreRejected()
    {
        var data = DataSource.FromArrays([0.5f, 1.5f, 2.5f], [2, 0, 1], 3, [1]);
        Assert.True(data.IsInMemory);
        var samples = data.Load(new Grains.Data.DataSetProvider());
        var inputs = new float[3];
        var targets = new float[9];
        samples.Read([0, 1, 2], inputs, targets);
        Assert.Equal([0.5f, 1.5f, 2.5f], inputs);
        Assert.Equal([0f, 0, 1, 1, 0, 0, 0, 1, 0], targets);
        Assert.Throws<ArgumentException>(() => DataSource.FromArrays([0.5f], [3], 3, [1]));
        Assert.Throws<ArgumentException>(() => DataSource.FromArrays([0.5f, 1f, 2f], new float[2], [1], 1));
    }

    [Fact]
    public void InMemorySamplesAreServedByKeyAndCutBySplitName()
    {
        var data = new Kernels.Data.InMemoryDataSet([.. Enumerable.Range(0, 10).Select(i => (float)i)], new float[10], [1], 1);
        var key = Runs.InMemoryDataSets.Add(data);
        try
        {
            var provider = Runs.InMemoryDataSets.CreateProvider();
            Assert.Same(data, provider.Get(new Grains.DataSpec("memory", key, "train")));
            var tail = provider.Get(new Grains.DataSpec("memory", key, "train[80%:]"));
            var first = new float[1];
            tail.Read([0], first, new float[1]);
            Assert.Equal((2, 8f), (tail.Count, first[0]));
            Assert.Throws<ArgumentException>(() => provider.Get(new Grains.DataSpec("memory", key, "test")));
        }
        finally
        {
            Runs.InMemoryDataSets.Remove(key);
        }

        Assert.Throws<ArgumentException>(() => Runs.InMemoryDataSets.Load(new Grains.DataSpec("memory", key, "train")));
    }
}
