using DistTrain.Kernels.Data;

namespace DistTrain.Kernels.Tests.Data;

public sealed class Cifar10FormatTests : IDisposable
{
    private const int Record = 3073;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BatchesLoadAsHwcImagesInOrderWithOneHotLabels(bool gzip)
    {
        string first = Write("a.bin", DataFiles.Cifar([3, 9]), gzip);
        string second = Write("b.bin", DataFiles.Cifar([0]), gzip);

        InMemoryDataSet data = Cifar10Format.Load([first, second]);

        Assert.Equal(3, data.Count);
        Assert.Equal([32, 32, 3], data.InputShape);
        int[] labels = [3, 9, 0];
        // Sample 2 is record 0 of the second file, so its pixels are those of image 0.
        int[] imageIds = [0, 1, 0];
        for (int n = 0; n < 3; n++)
        {
            for (int y = 0; y < 32; y += 5)
            {
                for (int x = 0; x < 32; x += 3)
                {
                    for (int c = 0; c < 3; c++)
                    {
                        float expected = DataFiles.Pixel(imageIds[n], y, x, c) / 255f;
                        Assert.Equal(expected, data.Inputs[n * 3072 + (y * 32 + x) * 3 + c]);
                    }
                }
            }

            Assert.Equal(1f, data.Targets[n * 10 + labels[n]]);
            Assert.Equal(1f, data.Targets.Slice(n * 10, 10).ToArray().Sum());
        }
    }

    [Fact]
    public void EmptyBatchIsRejected()
    {
        var e = Assert.Throws<DataFormatException>(() => Cifar10Format.ReadRecords(Write("e.bin", [], false)));
        Assert.Equal(0, e.Offset);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PartialRecordIsReportedAtItsStart(bool gzip)
    {
        byte[] bytes = DataFiles.Cifar([1, 2, 3])[..^100];
        var e = Assert.Throws<DataFormatException>(() => Cifar10Format.ReadRecords(Write("p.bin", bytes, gzip)));
        Assert.Equal(2 * Record, e.Offset);
        Assert.Contains("record 2", e.Message);
    }

    [Fact]
    public void LabelOutsideTheTenClassesIsReportedAtItsRecord()
    {
        string path = Write("l.bin", DataFiles.Cifar([1, 10, 3]), false);
        var e = Assert.Throws<DataFormatException>(() => Cifar10Format.ReadRecords(path));
        Assert.Equal(Record, e.Offset);
        Assert.Contains("label 10 of record 1", e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BatchOverTheSizeLimitIsRejected(bool gzip)
    {
        string path = Write("big.bin", DataFiles.Cifar([1, 2, 3, 4]), gzip);
        var e = Assert.Throws<DataFormatException>(() => Cifar10Format.ReadRecords(path, maxFileBytes: 2 * Record));
        Assert.Contains("limit", e.Message);
    }

    [Fact]
    public void ChwToHwcInterleavesThePlanes()
    {
        var chw = new byte[3072];
        for (int i = 0; i < 3072; i++)
        {
            chw[i] = (byte)(i / 1024 * 100 + i % 7);
        }

        var hwc = new byte[3072];
        Cifar10Format.ChwToHwc(chw, hwc);

        for (int p = 0; p < 1024; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(chw[c * 1024 + p], hwc[p * 3 + c]);
            }
        }
    }

    private string Write(string name, byte[] raw, bool gzip)
    {
        string path = _dir.File(name + (gzip ? ".gz" : ""));
        File.WriteAllBytes(path, gzip ? DataFiles.Gzip(raw) : raw);
        return path;
    }
}
