using System.Text.Json;
using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>
/// A sequential model: the shape of one input sample, the layers in order, and the loss.
/// Serialises to JSON (<see cref="ToJson"/>, <see cref="FromJson(string)"/>); equality is structural.
/// </summary>
/// <remarks>
/// The cross-entropy losses take logits. A last Dense layer with a softmax activation (for
/// <see cref="LossKind.SoftmaxCrossEntropy"/>) or a sigmoid (for
/// <see cref="LossKind.BinaryCrossEntropy"/>) is accepted, Keras-style: the activation is
/// fused into the loss (the layer computes logits), and predictions still come out as
/// probabilities.
/// </remarks>
/// <param name="InputShape">Shape of one input sample, for example <c>[784]</c>.</param>
/// <param name="Layers">The layers, input first.</param>
/// <param name="Loss">The training loss.</param>
public sealed record ModelSpec(IReadOnlyList<int> InputShape, IReadOnlyList<LayerSpec> Layers, LossKind Loss)
{
    /// <summary>Floats per input sample.</summary>
    public int InputSize => InputShape.Aggregate(1, (a, d) => checked(a * d));

    /// <summary>Shape of one output sample (of the last layer); validates the model.</summary>
    public IReadOnlyList<int> OutputShape => ShapesAndNames().Last().Output;

    /// <summary>Floats per output sample (and per target row).</summary>
    public int OutputSize => OutputShape.Aggregate(1, (a, d) => checked(a * d));

    /// <summary>The JSON form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SpecJson.Options);

    /// <summary>Reads and validates a model spec; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static ModelSpec FromJson(string json) => FromJson(json, null);

    /// <summary>
    /// Reads and validates a model spec whose custom layers (<see cref="CustomLayerSpec"/>) are
    /// looked up by <paramref name="layerTypes"/> (null: <see cref="LayerTypeResolver.Default"/>,
    /// this process); throws <see cref="FormatException"/> naming what is wrong, a layer type
    /// that is not found included.
    /// </summary>
    public static ModelSpec FromJson(string json, LayerTypeResolver? layerTypes)
    {
        ModelSpec spec = SpecJson.Read<ModelSpec>(json, "model spec");
        if (layerTypes is not null && spec.Layers is not null && spec.Layers.Any(l => l is CustomLayerSpec))
        {
            spec = spec with { Layers = [.. spec.Layers.Select(l => l is CustomLayerSpec custom ? custom with { Resolver = layerTypes } : l)] };
        }

        try
        {
            spec.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"Invalid model spec: {ex.Message}", ex);
        }

        return spec;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first problem: shapes, layer settings, the loss.</summary>
    public void Validate() => _ = ShapesAndNames();

    /// <summary>
    /// Builds the layers (no backend resources). A final softmax or sigmoid that the loss takes
    /// over (see remarks on <see cref="ModelSpec"/>) is built as a linear layer.
    /// </summary>
    public IReadOnlyList<Layer> CreateLayers()
    {
        var shapes = ShapesAndNames();
        var layers = new Layer[Layers.Count];
        for (int i = 0; i < layers.Length; i++)
        {
            LayerSpec layer = Layers[i];
            if (i == layers.Length - 1 && FusedOutputActivation != ActivationKind.Linear && layer is DenseSpec dense)
            {
                layer = dense with { Activation = ActivationKind.Linear };
            }

            layers[i] = layer.CreateLayer(shapes[i].Name, shapes[i].Input);
        }

        return layers;
    }

    /// <summary>
    /// The activation turning the last layer's output into predictions: softmax for
    /// cross-entropy, sigmoid for binary cross-entropy, linear (identity) for MSE.
    /// </summary>
    public ActivationKind PredictionActivation => Loss switch
    {
        LossKind.SoftmaxCrossEntropy => ActivationKind.Softmax,
        LossKind.BinaryCrossEntropy => ActivationKind.Sigmoid,
        _ => ActivationKind.Linear,
    };

    private ActivationKind FusedOutputActivation =>
        Layers.Count > 0 && Layers[^1] is DenseSpec dense && dense.Activation == PredictionActivation ? dense.Activation : ActivationKind.Linear;

    private List<(string Name, IReadOnlyList<int> Input, IReadOnlyList<int> Output)> ShapesAndNames()
    {
        if (InputShape is null || InputShape.Count == 0 || InputShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"The input shape must be a non-empty list of positive sizes, got [{string.Join(", ", InputShape ?? [])}].");
        }

        if (Layers is null || Layers.Count == 0)
        {
            throw new ArgumentException("A model needs at least one layer.");
        }

        if (!Enum.IsDefined(Loss))
        {
            throw new ArgumentException($"Unknown loss {Loss}.");
        }

        var result = new List<(string, IReadOnlyList<int>, IReadOnlyList<int>)>(Layers.Count);
        var counts = new Dictionary<string, int>();
        IReadOnlyList<int> shape = InputShape;
        for (int i = 0; i < Layers.Count; i++)
        {
            LayerSpec layer = Layers[i] ?? throw new ArgumentException($"Layer {i} is null.");
            int n = counts.GetValueOrDefault(layer.Kind);
            counts[layer.Kind] = n + 1;
            string name = $"{layer.Kind}_{n}";
            IReadOnlyList<int> output = layer.OutputShape(name, shape);
            result.Add((name, shape, output));
            shape = output;
        }

        if (Loss != LossKind.MeanSquaredError && Layers[^1] is DenseSpec last
            && last.Activation != ActivationKind.Linear && last.Activation != PredictionActivation)
        {
            throw new ArgumentException($"{Loss} takes logits: the last layer's activation must be linear or {PredictionActivation} (fused into the loss), got {last.Activation}.");
        }

        return result;
    }

    /// <inheritdoc />
    public bool Equals(ModelSpec? other) =>
        other is not null && Loss == other.Loss && InputShape.SequenceEqual(other.InputShape) && Layers.SequenceEqual(other.Layers);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Loss, InputShape.Count, Layers.Count);
}
