using System.Text.Json;
using System.Text.Json.Serialization;

namespace DistTrain.Client.Output;

/// <summary>The <c>--json</c> writer: one compact camelCase JSON object per line.</summary>
public static class JsonOutput
{
    /// <summary>Options shared by every <c>--json</c> output (and by tests reading it).</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes <paramref name="value"/> as one line.</summary>
    public static void Write<T>(TextWriter output, T value)
    {
        output.WriteLine(JsonSerializer.Serialize(value, Options));
        output.Flush();
    }
}
