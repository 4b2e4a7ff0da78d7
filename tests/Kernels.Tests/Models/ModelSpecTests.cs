using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Models;

namespace DistTrain.Kernels.Tests.Models;

public sealed class ModelSpecTests
{
    [Fact]
    public void JsonRoundTripGivesAnEqualSpec()
    {
        var spec = new ModelSpec(
            [784],
            [new DenseSpec(512, ActivationKind.Relu), new DenseSpec(256, ActivationKind.Tanh, InitializerKind.TruncatedNormal), new DenseSpec(10, ActivationKind.Softmax)],
            LossKind.SoftmaxCrossEntropy);

        string json = spec.ToJson();
        ModelSpec back = ModelSpec.FromJson(json);

        Assert.Equal(spec, back);
        Assert.Equal(json, back.ToJson());
        Assert.Contains("\"type\": \"dense\"", json, StringComparison.Ordinal);
        Assert.Contains("\"activation\": \"relu\"", json, StringComparison.Ordinal);
        Assert.Contains("\"loss\": \"softmaxCrossEntropy\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonMayOmitDefaultsAndPutTheTypeAnywhere()
    {
        const string json = """
            { "inputShape": [3], "loss": "meanSquaredError",
              "layers": [ { "units": 1, "type": "dense" } ] }
            """;

        ModelSpec spec = ModelSpec.FromJson(json);

        Assert.Equal(ModelPresets.LinearRegression(3), spec);
    }

    [Theory]
    [InlineData("""{ "inputShape": [3], "loss": "meanSquaredError", "layers": [ { "type": "conv9", "units": 1 } ] }""", "Known layer types: dense")]
    [InlineData("""{ "inputShape": [3], "loss": "meanSquaredError", "layers": [ { "type": "dense" } ] }""", "units")]
    [InlineData("""{ "inputShape": [3], "loss": "meanSquaredError", "layers": [ { "type": "dense", "units": 1, "activaton": "relu" } ] }""", "activaton")]
    [InlineData("""{ "inputShape": [3], "loss": "meanSquaredError", "layers": [ { "type": "dense", "units": 1, "activation": "swish" } ] }""", "Valid activation values: linear, relu")]
    [InlineData("""{ "inputShape": [3], "loss": "hinge", "layers": [ { "type": "dense", "units": 1 } ] }""", "loss")]
    [InlineData("""{ "inputShape": [3], "loss": "meanSquaredError" }""", "layers")]
    [InlineData("""{ "inputShape": [3], "loss": "meanSquaredError", "layers": [] }""", "at least one layer")]
    [InlineData("""{ "inputShape": [0], "loss": "meanSquaredError", "layers": [ { "type": "dense", "units": 1 } ] }""", "input shape")]
    [InlineData("""{ "inputShape": [3], "loss": "meanSquaredError", "layers": [ { "type": "dense", "units": 0 } ] }""", "dense_0")]
    [InlineData("""{ "inputShape": [28, 28], "loss": "meanSquaredError", "layers": [ { "type": "dense", "units": 1 } ] }""", "Flatten")]
    [InlineData("""{ "inputShape": [3], "loss": "softmaxCrossEntropy", "layers": [ { "type": "dense", "units": 2, "activation": "relu" } ] }""", "logits")]
    [InlineData("""{ "inputShape": [3], "loss": "meanSquaredError", "layers": [ { "type": "dense", "units": 1 } ]""", "model spec JSON")]
    public void BadJsonFailsWithAMessageNamingTheProblem(string json, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => ModelSpec.FromJson(json));

        Assert.Contains(expected, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void LayersAreNamedPerKindAndAFinalSoftmaxIsFusedIntoTheLoss()
    {
        var spec = new ModelSpec([4], [new DenseSpec(3, ActivationKind.Relu), new DenseSpec(2, ActivationKind.Softmax)], LossKind.SoftmaxCrossEntropy);

        var layers = spec.CreateLayers();

        Assert.Equal(["dense_0", "dense_1"], layers.Select(l => l.Name));
        Assert.Equal(ActivationKind.Relu, ((DenseLayer)layers[0]).Activation);
        Assert.Equal(ActivationKind.Linear, ((DenseLayer)layers[1]).Activation);
        Assert.Equal([2], spec.OutputShape);
    }
}
