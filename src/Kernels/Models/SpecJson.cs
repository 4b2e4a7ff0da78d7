using System.Text.Json;
using System.Text.Json.Serialization;
using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>
/// The JSON settings of model and optimiser specifications: camelCase names, enums as
/// camelCase strings, polymorphic records with a <c>type</c> field anywhere in the object,
/// and strict reading (unknown properties, missing required values and nulls are errors).
/// </summary>
public static class SpecJson
{
    /// <summary>The shared serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        AllowOutOfOrderMetadataProperties = true,
        WriteIndented = true,
    };

    /// <summary>Reads a <typeparamref name="T"/>, turning any JSON error into a <see cref="FormatException"/> that names what and where.</summary>
    public static T Read<T>(string json, string what)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new FormatException($"Invalid {what} JSON: the document is null.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Invalid {what} JSON at {ex.Path ?? "$"}: {ex.Message}{Hint(ex)}", ex);
        }
        catch (NotSupportedException ex)
        {
            throw new FormatException($"Invalid {what} JSON: {ex.Message}{Hint(ex)}", ex);
        }
    }

    /// <summary>The valid names for the value the error points at, when it is an enum or a type discriminator.</summary>
    private static string Hint(Exception ex)
    {
        string path = (ex as JsonException)?.Path ?? string.Empty;
        string property = path[(path.LastIndexOf('.') + 1)..];
        Type? names = property switch
        {
            "activation" => typeof(ActivationKind),
            "loss" => typeof(LossKind),
            "kernelInitializer" => typeof(InitializerKind),
            _ => null,
        };
        if (names is not null)
        {
            return $" Valid {property} values: {string.Join(", ", Enum.GetNames(names).Select(JsonNamingPolicy.CamelCase.ConvertName))}.";
        }

        if (ex.Message.Contains("discriminator", StringComparison.Ordinal))
        {
            var layers = typeof(LayerSpec).GetCustomAttributes(typeof(JsonDerivedTypeAttribute), false)
                .Cast<JsonDerivedTypeAttribute>().Select(a => a.TypeDiscriminator);
            return $" Known layer types: {string.Join(", ", layers)}.";
        }

        return string.Empty;
    }
}
