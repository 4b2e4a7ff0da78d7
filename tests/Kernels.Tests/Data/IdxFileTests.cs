using DistTrain.Kernels.Data;

namespace DistTrain.Kernels.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MnistPairLoadsAsScaledHwcImagesWithOneHotLabels(bool gzip)
    {
        (byte[] images, byte[] labels) = DataFiles.Mnist(count: 5, rows: 3, cols: 4);
        string imagesPath = Write("images", images, gzip);
        string labelsPath = Write("labels", labels, gzip);

        InMemoryDataSet data = MnistFormat.Load(imagesPath, labelsPath);

        Assert.Equal(5, data.Count);
        Assert.Equal([3, 4, 1], data.InputShape);
        Assert.Equal(10, data.TargetSize);
        for (int n = 0; n < 5; n++)
        {
            for (int y = 0; y < 3; y++)
            {
                for (int x = 0; x < 4; x++)
                {
                    Assert.Equal(DataFiles.Pixel(n, y, x) / 255f, data.Inputs[(n * 3 + y) * 4 + x]);
                }
            }

            for (int k = 0; k < 10; k++)
            {
                Assert.Equal(k == n % 10 ? 1f : 0f, data.Targets[n * 10 + k]);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriterOutputReadsBackIdentically(bool gzip)
    {
        byte[] data = [.. Enumerable.Range(0, 2 * 3 * 5).Select(i => (byte)(i * 7))];
        string path = _dir.File("w.idx");

        IdxFile.Write(path, [2, 3, 5], data, gzip);
        IdxArray read = IdxFile.Read(path, expectedRank: 3);

        Assert.Equal([2, 3, 5], read.Shape);
        Assert.Equal(data, read.Data);
        Assert.Equal(gzip, File.ReadAllBytes(path)[0] == 0x1F);
        if (!gzip)
        {
            Assert.Equal(DataFiles.Idx([2, 3, 5], data), File.ReadAllBytes(path));
        }
    }

    [Fact]
    public void EmptyLabelFileIsAValidZeroSampleSet()
    {
        string path = Write("l", DataFiles.Idx([0], []), gzip: false);
        Assert.Empty(MnistFormat.ReadLabels(path, 10));
    }

    [Theory]
    [InlineData(0, 1, 0, "two zero bytes")]
    [InlineData(1, 8, 1, "two zero bytes")]
    [InlineData(2, 0x0D, 2, "float32")]
    [InlineData(2, 0x42, 2, "unknown")]
    [InlineData(3, 2, 3, "expected 3 dimension")]
    public void HeaderErrorsNameTheFileAndOffset(int index, byte value, long offset, string expected)
    {
        (byte[] images, _) = DataFiles.Mnist(2, 2, 2);
        images[index] = value;
        string path = Write("bad", images, gzip: false);

        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(path, 3));

        Assert.Equal(offset, e.Offset);
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(path, e.Message);
        Assert.Contains($"byte offset {offset}", e.Message);
    }

    [Fact]
    public void ZeroImageSideIsRejectedAtItsDimension()
    {
        byte[] bytes = DataFiles.Idx([1, 0, 2], []);
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(Write("z", bytes, false), 3));
        Assert.Equal(8, e.Offset);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HugeDimensionsAreRejectedBeforeAllocating(bool gzip)
    {
        byte[] bytes = DataFiles.Idx([60000, 28, 28], new byte[16]);
        string path = Write("huge", bytes, gzip);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(path, 3, maxDataBytes: 40 << 20));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("limit", e.Message);
        Assert.Equal(12, e.Offset);
        Assert.True(allocated < 512 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void DimensionAboveInt32IsRejected()
    {
        byte[] bytes = DataFiles.Idx([1, 1, 1], [0]);
        bytes[4] = 0xFF;
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(Write("d", bytes, false), 3));
        Assert.Equal(4, e.Offset);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataIsReportedWhereTheFileEnds(bool gzip)
    {
        (byte[] images, _) = DataFiles.Mnist(3, 2, 2);
        string path = Write("t", images[..^5], gzip);

        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(path, 3));

        Assert.Equal(images.Length - 5, e.Offset);
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrailingBytesAreReportedWhereTheyStart(bool gzip)
    {
        (byte[] images, _) = DataFiles.Mnist(3, 2, 2);
        string path = Write("x", [.. images, 1, 2, 3], gzip);

        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(path, 3));

        Assert.Equal(images.Length, e.Offset);
        Assert.Contains("unexpected bytes", e.Message);
    }

    [Fact]
    public void CorruptGzipBecomesADataFormatException()
    {
        (byte[] images, _) = DataFiles.Mnist(20, 8, 8);
        byte[] gz = DataFiles.Gzip(images);
        for (int i = 10; i < gz.Length - 8; i++)
        {
            gz[i] ^= 0x5A;
        }

        string path = _dir.File("corrupt.gz");
        File.WriteAllBytes(path, gz);
        Assert.Throws<DataFormatException>(() => IdxFile.Read(path, 3));
    }

    [Fact]
    public void LabelOutsideTheClassesIsReportedAtItsByte()
    {
        byte[] labels = DataFiles.Idx([4], [1, 2, 10, 3]);
        string path = Write("l", labels, false);

        var e = Assert.Throws<DataFormatException>(() => MnistFormat.ReadLabels(path, classCount: 10));

        Assert.Equal(8 + 2, e.Offset);
        Assert.Contains("label 10 of sample 2", e.Message);
    }

    [Fact]
    public void ImageAndLabelCountsMustMatch()
    {
        (byte[] images, _) = DataFiles.Mnist(4, 2, 2);
        string imagesPath = Write("i", images, false);
        string labelsPath = Write("l", DataFiles.Idx([3], [0, 1, 2]), false);

        var e = Assert.Throws<DataFormatException>(() => MnistFormat.Load(imagesPath, labelsPath));

        Assert.StartsWith(labelsPath, e.Message);
        Assert.Contains("3 labels", e.Message);
        Assert.Contains("4 images", e.Message);
    }

    [Fact]
    public void MissingFileIsAFileNotFoundException()
    {
        Assert.Throws<FileNotFoundException>(() => IdxFile.Read(_dir.File("nope"), 1));
    }

    private string Write(string name, byte[] raw, bool gzip)
    {
        string path = _dir.File(name + (gzip ? ".gz" : ""));
        File.WriteAllBytes(path, gzip ? DataFiles.Gzip(raw) : raw);
        return path;
    }
}
