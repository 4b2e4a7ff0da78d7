using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Models;

namespace DistTrain.Kernels.Tests.Models;

/// <summary>
/// Window sizes, strides and scales as (height, width) pairs (<see cref="Size2D"/>): JSON as an int
/// or <c>[h, w]</c>, square JSON as it was before pairs existed, Keras' output shapes per axis, and
/// clear errors for bad sizes.
/// </summary>
public sealed class Size2DSpecTests
{
    /// <summary>The JSON that the same spec had when the sizes were plain ints (written by commit 252973b).</summary>
    private const string SquareJsonBeforePairs = """
        {
          "inputShape": [
            28,
            28,
            1
          ],
          "layers": [
            {
              "type": "conv2d",
              "filters": 32,
              "kernelSize": 3,
              "strides": 1,
              "padding": "same",
              "activation": "relu",
              "kernelInitializer": "glorotUniform",
              "kernelRegularizer": {
                "l1": 0,
                "l2": 0.0001
              },
              "kind": "conv2d"
            },
            {
              "type": "maxPool2d",
              "kind": "max_pooling2d",
              "poolSize": 2,
              "padding": "valid"
            },
            {
              "type": "conv2d",
              "filters": 64,
              "kernelSize": 3,
              "strides": 2,
              "padding": "valid",
              "activation": "relu",
              "kernelInitializer": "glorotUniform",
              "kind": "conv2d"
            },
            {
              "type": "avgPool2d",
              "kind": "average_pooling2d",
              "poolSize": 3,
              "strides": 1,
              "padding": "same"
            },
            {
              "type": "upSampling2d",
              "size": 3,
              "kind": "up_sampling2d"
            },
            {
              "type": "upSampling2d",
              "size": 2,
              "kind": "up_sampling2d"
            },
            {
              "type": "maxPool2d",
              "kind": "max_pooling2d",
              "poolSize": 2,
              "padding": "valid"
            },
            {
              "type": "flatten",
              "kind": "flatten"
            },
            {
              "type": "dense",
              "units": 10,
              "activation": "softmax",
              "kernelInitializer": "glorotUniform",
              "kind": "dense"
            }
          ],
          "loss": "softmaxCrossEntropy",
          "inputSize": 784,
          "outputShape": [
            10
          ],
          "outputSize": 10,
          "predictionActivation": "softmax"
        }
        """;

    public static TheoryData<PaddingKind> Paddings => new() { PaddingKind.Same, PaddingKind.Valid };

    [Fact]
    public void SquareSizesWriteExactlyTheJsonTheyWroteBeforePairsExisted()
    {
        var spec = new ModelSpec(
            [28, 28, 1],
            [
                new Conv2DSpec(32, 3, 1, PaddingKind.Same, ActivationKind.Relu, KernelRegularizer: Regularizer.OfL2(1e-4f)),
                new MaxPool2DSpec(2),
                new Conv2DSpec(64, 3, 2, PaddingKind.Valid, ActivationKind.Relu),
                new AvgPool2DSpec(3, 1, PaddingKind.Same),
                new UpSampling2DSpec(3),
                new UpSampling2DSpec(),
                new MaxPool2DSpec(),
                new FlattenSpec(),
                new DenseSpec(10, ActivationKind.Softmax),
            ],
            LossKind.SoftmaxCrossEntropy);

        string json = spec.ToJson();

        Assert.Equal(SquareJsonBeforePairs.ReplaceLineEndings(Environment.NewLine), json);
        Assert.Equal(spec, ModelSpec.FromJson(SquareJsonBeforePairs));
    }

    [Fact]
    public void NonSquareSizesRoundTripAsHeightWidthPairs()
    {
        var spec = new ModelSpec(
            [9, 8, 2],
            [
                new Conv2DSpec(4, new Size2D(2, 3), new Size2D(2, 1), PaddingKind.Same),
                new MaxPool2DSpec(new Size2D(1, 2)),
                new AvgPool2DSpec(new Size2D(3, 2), new Size2D(1, 2), PaddingKind.Same),
                new UpSampling2DSpec(new Size2D(1, 3)),
                new FlattenSpec(),
                new DenseSpec(2),
            ],
            LossKind.MeanSquaredError);

        string json = spec.ToJson();
        ModelSpec back = ModelSpec.FromJson(json);

        Assert.Equal(spec, back);
        Assert.Equal(json, back.ToJson());
        Assert.Contains("\"kernelSize\": [2, 3]", json, StringComparison.Ordinal);
        Assert.Contains("\"strides\": [2, 1]", json, StringComparison.Ordinal);
        Assert.Contains("\"poolSize\": [1, 2]", json, StringComparison.Ordinal);
        Assert.Contains("\"size\": [1, 3]", json, StringComparison.Ordinal);
        Assert.Equal(new Size2D(2, 3), ((Conv2DSpec)back.Layers[0]).KernelSize);
        Assert.Equal(new Size2D(1, 2), ((AvgPool2DSpec)back.Layers[2]).Strides);
    }

    [Fact]
    public void AnIntAndAnEqualPairReadAsTheSameSizeAndOmittedSizesKeepKerasDefaults()
    {
        ModelSpec asInts = ModelSpec.FromJson("""
            { "inputShape": [8, 8, 1], "loss": "meanSquaredError", "layers": [
              { "type": "conv2d", "filters": 2, "kernelSize": 3, "strides": 2 },
              { "type": "maxPool2d", "poolSize": 2, "strides": 1 },
              { "type": "upSampling2d", "size": 3 } ] }
            """);
        ModelSpec asPairs = ModelSpec.FromJson("""
            { "inputShape": [8, 8, 1], "loss": "meanSquaredError", "layers": [
              { "type": "conv2d", "filters": 2, "kernelSize": [3, 3], "strides": [2, 2] },
              { "type": "maxPool2d", "poolSize": [2, 2], "strides": [1, 1] },
              { "type": "upSampling2d", "size": [3, 3] } ] }
            """);
        ModelSpec omitted = ModelSpec.FromJson("""
            { "inputShape": [8, 8, 1], "loss": "meanSquaredError", "layers": [
              { "type": "conv2d", "filters": 2, "kernelSize": 3 }, { "type": "avgPool2d" }, { "type": "upSampling2d" } ] }
            """);

        Assert.Equal(asInts, asPairs);
        Assert.Equal(asInts.ToJson(), asPairs.ToJson());
        Assert.Equal(new Conv2DSpec(2, 3), omitted.Layers[0]);
        Assert.Equal(new Size2D(1, 1), ((Conv2DSpec)omitted.Layers[0]).Strides);
        Assert.Equal(new AvgPool2DSpec(2), omitted.Layers[1]);
        Assert.Null(((AvgPool2DSpec)omitted.Layers[1]).Strides);
        Assert.Equal(new UpSampling2DSpec(2), omitted.Layers[2]);
    }

    [Theory]
    [MemberData(nameof(Paddings))]
    public void OutputShapesAndTheKernelLayoutFollowKerasAlongEachAxis(PaddingKind padding)
    {
        int[] input = [9, 7, 2];
        var spec = new ModelSpec(
            input,
            [
                new Conv2DSpec(3, new Size2D(2, 3), new Size2D(2, 1), padding),
                new MaxPool2DSpec(new Size2D(2, 3), Padding: padding),
                new AvgPool2DSpec(new Size2D(2, 1), new Size2D(1, 2), padding),
                new UpSampling2DSpec(new Size2D(3, 1)),
            ],
            LossKind.MeanSquaredError);

        int conv0 = KerasOutput(input[0], 2, 2, padding), conv1 = KerasOutput(input[1], 3, 1, padding);
        int max0 = KerasOutput(conv0, 2, 2, padding), max1 = KerasOutput(conv1, 3, 3, padding);
        int avg0 = KerasOutput(max0, 2, 1, padding), avg1 = KerasOutput(max1, 1, 2, padding);
        IReadOnlyList<Layer> layers = spec.CreateLayers();

        Assert.Equal([conv0, conv1, 3], layers[0].OutputShape);
        Assert.Equal([max0, max1, 3], layers[1].OutputShape);
        Assert.Equal([avg0, avg1, 3], layers[2].OutputShape);
        Assert.Equal([avg0 * 3, avg1, 3], spec.OutputShape);
        ParameterLayout layout = ParameterLayout.For(spec);
        Assert.Equal([2, 3, 2, 3], layout["conv2d_0/kernel"].Shape);
        Assert.Equal([3], layout["conv2d_0/bias"].Shape);
        Assert.Equal((2 * 3 * 2 * 3) + 3, layout.Total);
        ModelSummary summary = ModelSummary.For(spec);
        Assert.Equal((2 * 3 * 2 * 3) + 3, summary.Layers[0].Parameters);
        Assert.Contains($"(None, {conv0}, {conv1}, 3)", summary.ToText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"x\"", "the string \"x\"")]
    [InlineData("[3]", "an array of 1 element")]
    [InlineData("[3, 3, 3]", "an array of 3 elements")]
    [InlineData("2.5", "the number 2.5")]
    [InlineData("[3, \"3\"]", "holding the string")]
    [InlineData("{ \"height\": 3 }", "an object")]
    [InlineData("null", "null")]
    public void MalformedSizesFailNamingTheLayerAndField(string kernelSize, string got)
    {
        string json = $$"""
            { "inputShape": [8, 8, 1], "loss": "meanSquaredError", "layers": [
              { "type": "flatten" }, { "type": "conv2d", "filters": 2, "kernelSize": {{kernelSize}} } ] }
            """;

        var ex = Assert.Throws<FormatException>(() => ModelSpec.FromJson(json));

        Assert.Contains("$.layers[1].kernelSize", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[height, width]", ex.Message, StringComparison.Ordinal);
        Assert.Contains(got, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "type": "conv2d", "filters": 2, "kernelSize": [0, 3] }""", "conv2d_0: kernelSize", "[0, 3]")]
    [InlineData("""{ "type": "conv2d", "filters": 2, "kernelSize": 3, "strides": [1, -2] }""", "conv2d_0: strides", "[1, -2]")]
    [InlineData("""{ "type": "maxPool2d", "poolSize": [2, 0] }""", "max_pooling2d_0: poolSize", "[2, 0]")]
    [InlineData("""{ "type": "avgPool2d", "strides": 0 }""", "average_pooling2d_0: strides", "got 0")]
    [InlineData("""{ "type": "upSampling2d", "size": [2, -1] }""", "up_sampling2d_0: size", "[2, -1]")]
    [InlineData("""{ "type": "maxPool2d", "poolSize": [2, 9] }""", "max_pooling2d_0", "input width 8")]
    public void NonPositiveOrTooLargeSizesFailNamingTheLayerAndField(string layer, string expected, string value)
    {
        string json = $$"""{ "inputShape": [8, 8, 1], "loss": "meanSquaredError", "layers": [ {{layer}} ] }""";

        var ex = Assert.Throws<FormatException>(() => ModelSpec.FromJson(json));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains(value, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIntConvertsToTheSquarePairAndTheDefaultIsOneByOne()
    {
        Size2D square = 3;
        Assert.Equal(new Size2D(3, 3), square);
        Assert.True(square.IsSquare);
        Assert.False(new Size2D(3, 5).IsSquare);
        Assert.Equal((1, 1), (default(Size2D).Height, default(Size2D).Width));
        Assert.NotEqual(default, new Size2D(0, 0));
        Assert.False(new Size2D(0, 0).IsPositive);
        var (height, width) = new Size2D(2, 7);
        Assert.Equal((2, 7), (height, width));
        Assert.Equal("[2, 7]", new Size2D(2, 7).ToString());
        Assert.Throws<ArgumentException>(new ModelSpec([4, 4, 1], [new Conv2DSpec(2, 3, 0)], LossKind.MeanSquaredError).Validate);
    }

    /// <summary>Keras/TensorFlow: 'valid' ⌊(n − k) / s⌋ + 1, 'same' ⌈n / s⌉.</summary>
    private static int KerasOutput(int n, int k, int s, PaddingKind padding) =>
        padding == PaddingKind.Valid ? ((n - k) / s) + 1 : (n + s - 1) / s;
}
