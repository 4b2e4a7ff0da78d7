using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DistTrain.Kernels.Models;

/// <summary>
/// Reads a <see cref="Size2D"/> from an integer (square) or a two-integer array
/// <c>[height, width]</c>; writes the integer when square, so square specs keep the JSON they
/// always had. Anything else is a <see cref="JsonException"/> (its path names the layer and field).
/// </summary>
public sealed class Size2DJsonConverter : JsonConverter<Size2D>
{
    private const string Expected = "expected an integer or an array [height, width] of two integers";

    /// <inheritdoc />
    public override Size2D Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return Size2D.FromInt32(Integer(ref reader));
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"{Expected}, got {Describe(ref reader)}.");
        }

        var sides = new List<int>(2);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw new JsonException($"{Expected}, got an array holding {Describe(ref reader)}.");
            }

            sides.Add(Integer(ref reader));
        }

        if (sides.Count != 2)
        {
            throw new JsonException($"{Expected}, got an array of {sides.Count} element{(sides.Count == 1 ? string.Empty : "s")}.");
        }

        return new Size2D(sides[0], sides[1]);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Size2D value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.IsSquare)
        {
            writer.WriteNumberValue(value.Height);
        }
        else
        {
            // On one line even in indented output: "kernelSize": [3, 5].
            writer.WriteRawValue(string.Create(CultureInfo.InvariantCulture, $"[{value.Height}, {value.Width}]"));
        }
    }

    private static int Integer(ref Utf8JsonReader reader) =>
        reader.TryGetInt32(out int value) ? value : throw new JsonException($"{Expected}, got the number {Encoding(ref reader)}.");

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"the string \"{reader.GetString()}\"",
        JsonTokenType.Number => $"the number {Encoding(ref reader)}",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a nested array",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };

    private static string Encoding(ref Utf8JsonReader reader) => System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
}
