using DistTrain.Client.Cli;
using DistTrain.Kernels.Models;

namespace DistTrain.Client.Train;

/// <summary>
/// Reads and checks model specs for the console (<c>train --model</c>, <c>model summary</c>):
/// a missing file or an invalid spec is a <see cref="CliException"/> naming where it came from.
/// </summary>
internal static class ModelSpecFile
{
    /// <summary>The text of the model spec file <paramref name="path"/>.</summary>
    public static string Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"model spec '{path}' does not exist.");
        }

        return File.ReadAllText(path);
    }

    /// <summary>Parses and validates <paramref name="json"/>; <paramref name="source"/> names it in the error.</summary>
    public static ModelSpec Parse(string json, string source)
    {
        try
        {
            var spec = ModelSpec.FromJson(json);
            spec.Validate();
            return spec;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or System.Text.Json.JsonException or NotSupportedException)
        {
            throw new CliException($"model spec from {source} is invalid: {DistTrainCli.OneLine(ex.Message)}");
        }
    }
}
