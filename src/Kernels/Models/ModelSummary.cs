using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DistTrain.Kernels.Models;

/// <summary>
/// Keras' <c>model.summary()</c>: per layer its name, type, output shape and parameter count,
/// and the total; as a text table (<see cref="ToText"/>) or JSON (<see cref="ToJson"/>).
/// </summary>
/// <param name="InputShape">Shape of one input sample.</param>
/// <param name="Layers">One row per layer, input first.</param>
/// <param name="TotalParameters">Σ of the layers' parameter counts (all trainable).</param>
public sealed record ModelSummary(IReadOnlyList<int> InputShape, IReadOnlyList<LayerSummary> Layers, long TotalParameters)
{
    /// <summary>The summary of <paramref name="spec"/> (validated).</summary>
    public static ModelSummary For(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        IReadOnlyList<Layer> layers = spec.CreateLayers();
        var rows = new LayerSummary[layers.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = new LayerSummary(layers[i].Name, spec.Layers[i].GetType().Name.Replace("Spec", string.Empty, StringComparison.Ordinal), [.. layers[i].OutputShape], layers[i].ParameterCount);
        }

        return new ModelSummary([.. spec.InputShape], rows, rows.Sum(r => (long)r.Parameters));
    }

    /// <summary>A table like Keras': layer (type), output shape with the batch axis as <c>None</c>, parameters; then the totals.</summary>
    public string ToText()
    {
        var cells = Layers.Select(l => (Layer: $"{l.Name} ({l.Type})", Shape: ShapeText(l.OutputShape), Params: Count(l.Parameters))).ToList();
        int w1 = Math.Max("Layer (type)".Length, cells.Select(c => c.Layer.Length).DefaultIfEmpty(0).Max()) + 2;
        int w2 = Math.Max("Output Shape".Length, cells.Select(c => c.Shape.Length).DefaultIfEmpty(0).Max()) + 2;
        int w3 = Math.Max("Param #".Length, cells.Select(c => c.Params.Length).DefaultIfEmpty(0).Max());
        string rule = new('─', w1 + w2 + w3);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Input shape: {ShapeText(InputShape)}");
        text.AppendLine(rule);
        text.AppendLine(CultureInfo.InvariantCulture, $"{"Layer (type)".PadRight(w1)}{"Output Shape".PadRight(w2)}{"Param #".PadLeft(w3)}");
        text.AppendLine(new string('═', w1 + w2 + w3));
        foreach (var (layer, shape, count) in cells)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{layer.PadRight(w1)}{shape.PadRight(w2)}{count.PadLeft(w3)}");
        }

        text.AppendLine(rule);
        text.AppendLine(CultureInfo.InvariantCulture, $"Total params: {Count(TotalParameters)} ({Bytes(TotalParameters * sizeof(float))})");
        text.AppendLine(CultureInfo.InvariantCulture, $"Trainable params: {Count(TotalParameters)}");
        text.AppendLine("Non-trainable params: 0");
        return text.ToString();
    }

    /// <summary>The summary as JSON (camelCase: <c>inputShape</c>, <c>layers</c> [{name, type, outputShape, parameters}], <c>totalParameters</c>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SpecJson.Options);

    /// <summary>A sample shape as Keras prints it, with the batch axis as <c>None</c>: <c>(None, 14, 14, 32)</c>.</summary>
    public static string ShapeText(IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return $"(None, {string.Join(", ", shape)})";
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F2} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F2} MB"),
    };
}
