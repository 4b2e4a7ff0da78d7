using System.Globalization;
using System.Text;

namespace DistTrain.Client.Tests;

/// <summary>Generated regression data: y = w·x + b + small noise, x uniform in [-2, 2].</summary>
internal static class LinearData
{
    public static async Task<string> WriteCsvAsync(string directory, int rows, float weight, float bias, ulong seed = 7)
    {
        var random = new Random((int)seed);
        var text = new StringBuilder("x,y\n");
        for (var i = 0; i < rows; i++)
        {
            var x = (random.NextSingle() * 4f) - 2f;
            var noise = (random.NextSingle() - 0.5f) * 0.02f;
            text.Append(x.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                .Append(((weight * x) + bias + noise).ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        var path = Path.Combine(directory, $"linear-{rows}-{seed}.csv");
        await File.WriteAllTextAsync(path, text.ToString());
        return path;
    }
}
