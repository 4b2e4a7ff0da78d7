using DistTrain.Kernels.Data;

namespace DistTrain.Kernels.Tests.Data;

public sealed class CsvFormatTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void HeaderIsDetectedAndTheLastColumnIsTheTargetByDefault()
    {
        string path = Write("x,\"size (m²)\",y\n1,2,3\n\n4.5,-5e-1,6\r\n");

        CsvData csv = CsvFormat.Load(path);

        Assert.Equal(["x", "size (m²)"], csv.InputColumns);
        Assert.Equal(["y"], csv.TargetColumns);
        Assert.Equal(2, csv.Data.Count);
        Assert.Equal([1f, 2f, 4.5f, -0.5f], csv.Data.Inputs.ToArray());
        Assert.Equal([3f, 6f], csv.Data.Targets.ToArray());
    }

    [Fact]
    public void FileWithoutHeaderKeepsItsFirstRow()
    {
        CsvData csv = CsvFormat.Load(Write("1,2\n3,4\n"));

        Assert.Equal(["column0"], csv.InputColumns);
        Assert.Equal([1f, 3f], csv.Data.Inputs.ToArray());
        Assert.Equal([2f, 4f], csv.Data.Targets.ToArray());
    }

    [Fact]
    public void TargetsAndInputsCanBeChosenByNameOrIndex()
    {
        string path = Write("a,b,c,d\n1,2,3,4\n5,6,7,8\n");

        CsvData byName = CsvFormat.Load(path, new CsvOptions { TargetColumns = ["b", "a"], InputColumns = ["d"] });
        CsvData byIndex = CsvFormat.Load(path, new CsvOptions { TargetColumnIndices = [0] });

        Assert.Equal([2f, 1f, 6f, 5f], byName.Data.Targets.ToArray());
        Assert.Equal([4f, 8f], byName.Data.Inputs.ToArray());
        Assert.Equal(2, byName.Data.TargetSize);
        Assert.Equal(["b", "c", "d"], byIndex.InputColumns);
        Assert.Equal([1f, 5f], byIndex.Data.Targets.ToArray());
    }

    [Fact]
    public void ForcingNoHeaderMakesAWordyFirstRowAnError()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvFormat.Load(Write("x,y\n1,2\n"), new CsvOptions { HasHeader = false }));
        Assert.Equal(1, e.Line);
        Assert.Equal(1, e.Column);
    }

    [Theory]
    [InlineData("x,y\n1,2\n3,abc\n", 3, 2, "'abc' is not a finite number (column 'y')")]
    [InlineData("x,y\n1,2\n,4\n", 3, 1, "the cell is empty")]
    [InlineData("x,y\n1,NaN\n", 2, 2, "not a finite number")]
    [InlineData("x,y,z\n1,2,3\n4,5\n", 3, 3, "2 fields but line 1 has 3")]
    [InlineData("x,y\n1,2\n\n4,5,6\n", 4, 3, "3 fields but line 1 has 2")]
    [InlineData("x,y\n1,\"2\n", 2, 2, "not closed")]
    [InlineData("x,y\n", 2, 1, "no data rows")]
    [InlineData("", 1, 1, "no rows")]
    public void BadCellsAndRaggedRowsNameTheLineAndColumn(string text, int line, int column, string expected)
    {
        string path = Write(text);

        var e = Assert.Throws<DataFormatException>(() => CsvFormat.Load(path));

        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        Assert.Contains(expected, e.Message);
        Assert.StartsWith($"{path}: line {line}, column {column}", e.Message);
    }

    [Fact]
    public void UnknownColumnNamesAndMissingHeaderAreClearErrors()
    {
        string withHeader = Write("a,b\n1,2\n");
        string withoutHeader = Write("1,2\n");

        var unknown = Assert.Throws<ArgumentException>(() => CsvFormat.Load(withHeader, new CsvOptions { TargetColumns = ["z"] }));
        var noHeader = Assert.Throws<ArgumentException>(() => CsvFormat.Load(withoutHeader, new CsvOptions { TargetColumns = ["b"] }));
        var outside = Assert.Throws<ArgumentException>(() => CsvFormat.Load(withHeader, new CsvOptions { TargetColumnIndices = [2] }));

        Assert.Contains("no target column 'z'", unknown.Message);
        Assert.Contains("no header", noHeader.Message);
        Assert.Contains("index 2", outside.Message);
    }

    [Fact]
    public void FilesOverTheSizeLimitAreRefused()
    {
        string path = Write("a,b\n1,2\n3,4\n");
        Assert.Throws<DataFormatException>(() => CsvFormat.Load(path, new CsvOptions { MaxFileBytes = 5 }));
    }

    private string Write(string text)
    {
        string path = _dir.File($"{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text);
        return path;
    }
}
