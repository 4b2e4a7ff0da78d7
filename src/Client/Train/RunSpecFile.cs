using System.Text.Json;
using System.Text.Json.Serialization;
using DistTrain.Client.Cli;

namespace DistTrain.Client.Train;

/// <summary>
/// A run-spec file for <c>disttrain train SPEC.json</c>: one JSON object whose keys are the
/// long flag names in camelCase (<c>"batchSize": 64</c> for <c>--batch-size 64</c>), plus
/// <c>"model"</c>, a model spec object as <c>ModelSpec.ToJson()</c> writes it. Flags given on
/// the command line override the file; the file overrides the preset. Unknown keys are errors.
/// </summary>
public sealed class RunSpecFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        PropertyNameCaseInsensitive = false,
    };

#pragma warning disable CS1591 // The keys mirror the flags, which --help documents.
    public string? RunId { get; set; }
    public string? Preset { get; set; }
    public JsonElement? Model { get; set; }
    public string? Dataset { get; set; }
    public string? DataDir { get; set; }
    public string? Csv { get; set; }
    public string? Target { get; set; }
    public int? Epochs { get; set; }
    public int? BatchSize { get; set; }
    public int? MicroShards { get; set; }
    public float? Lr { get; set; }
    public string? Schedule { get; set; }
    public long? Warmup { get; set; }
    public string? Optimizer { get; set; }
    public float? Momentum { get; set; }
    public bool? Nesterov { get; set; }
    public float? Beta1 { get; set; }
    public float? Beta2 { get; set; }
    public float? Epsilon { get; set; }
    public bool? Amsgrad { get; set; }
    public float? Rho { get; set; }
    public bool? Centered { get; set; }
    public float? InitialAccumulator { get; set; }
    public float? ClipNorm { get; set; }
    public float? WeightDecay { get; set; }
    public double? ValidationSplit { get; set; }
    public int? Folds { get; set; }
    public string? EarlyStoppingMonitor { get; set; }
    public int? Patience { get; set; }
    public ulong? Seed { get; set; }
    public int? Workers { get; set; }
    public int? ServerSlices { get; set; }
    public int? BucketBytes { get; set; }
    public string? Compression { get; set; }
    public string? CheckpointDir { get; set; }
    public int? CheckpointInterval { get; set; }
    public string? ResumeFrom { get; set; }
    public string? Logdir { get; set; }
#pragma warning restore CS1591

    /// <summary>The file this spec was read from (relative paths in it are relative to its folder).</summary>
    [JsonIgnore]
    public string? SourcePath { get; private set; }

    /// <summary>Reads and checks a spec file; errors name the file and what is wrong.</summary>
    public static RunSpecFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"run spec '{path}' does not exist.");
        }

        RunSpecFile? spec;
        try
        {
            spec = JsonSerializer.Deserialize<RunSpecFile>(File.ReadAllText(path), Options);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1})" : string.Empty;
            throw new CliException($"run spec '{path}' is malformed{where}: {DistTrainCli.OneLine(ex.Message)}");
        }

        if (spec is null)
        {
            throw new CliException($"run spec '{path}' is empty (expected a JSON object).");
        }

        if (spec.Model is { ValueKind: not JsonValueKind.Object })
        {
            throw new CliException($"run spec '{path}': \"model\" must be a model spec object.");
        }

        spec.SourcePath = Path.GetFullPath(path);
        return spec;
    }

    /// <summary>Resolves a path from the file against the file's folder.</summary>
    public string? ResolvePath(string? path) =>
        path is null || Path.IsPathRooted(path) || SourcePath is null
            ? path
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(SourcePath)!, path));
}
