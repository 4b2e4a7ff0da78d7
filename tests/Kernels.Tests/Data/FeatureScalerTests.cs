using DistTrain.Kernels.Data;

namespace DistTrain.Kernels.Tests.Data;

public class FeatureScalerTests
{
    // Feature 0: 1, 2, 3, 4 (mean 2.5, population std √1.25); feature 1: constant 7. Targets 10, 20, 30, 40.
    private static readonly InMemoryDataSet Data = new([1, 7, 2, 7, 3, 7, 4, 7], [10, 20, 30, 40], [2], 1);

    [Fact]
    public void StandardScalingGivesZeroMeanAndUnitPopulationStd()
    {
        FeatureScaler scaler = FeatureScaler.FitStandard(Data);
        float[] inputs = DataFiles.ReadAll(scaler.Apply(Data)).Inputs;

        float[] feature0 = [inputs[0], inputs[2], inputs[4], inputs[6]];
        double std = Math.Sqrt(1.25);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal((i + 1 - 2.5) / std, feature0[i], 5);
        }

        // A constant feature is centred, not divided by zero.
        Assert.Equal([0f, 0f, 0f, 0f], new[] { inputs[1], inputs[3], inputs[5], inputs[7] });
    }

    [Fact]
    public void MinMaxScalingMapsTheFittedRangeToZeroOne()
    {
        FeatureScaler scaler = FeatureScaler.FitMinMax(Data, targets: true);
        float[] targets = DataFiles.ReadAll(scaler.Apply(Data, targets: true)).Targets;

        Assert.Equal([0f, 1f / 3, 2f / 3, 1f], targets, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void InverseTransformUndoesTransform()
    {
        FeatureScaler scaler = FeatureScaler.FitStandard(Data);
        float[] rows = [1.5f, 7f, -3f, 9f];
        float[] copy = [.. rows];

        scaler.Transform(rows);
        Assert.NotEqual(copy, rows);
        scaler.InverseTransform(rows);

        Assert.Equal(copy, rows, (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public void ScalerFittedOnTrainingDataAppliesTheSameStatisticsElsewhere()
    {
        FeatureScaler scaler = FeatureScaler.FitStandard(Data);
        var other = new InMemoryDataSet([2.5f, 7f], [0], [2], 1);

        Assert.Equal(0f, DataFiles.ReadAll(scaler.Apply(other)).Inputs[0], 6);
        Assert.Throws<ArgumentException>(() => scaler.Apply(new InMemoryDataSet([1f], [0f], [1], 1)));
        Assert.Throws<ArgumentException>(() => scaler.Transform(new float[3]));
    }
}
