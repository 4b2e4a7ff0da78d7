using System.Text.Json;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Models;

namespace DistTrain.Kernels.Tests.Models;

/// <summary>The image layers in a <see cref="ModelSpec"/>: JSON, shapes, errors, parameter layout and the summary.</summary>
public sealed class CnnSpecTests
{
    private static readonly ModelSpec Spec = new(
        [28, 28, 1],
        [
            new Conv2DSpec(32, 3, 1, PaddingKind.Same, ActivationKind.Relu, KernelRegularizer: Regularizer.OfL2(1e-4f)),
            new MaxPool2DSpec(2),
            new Conv2DSpec(64, 3, 2, PaddingKind.Valid, ActivationKind.Relu),
            new AvgPool2DSpec(3, 1, PaddingKind.Same),
            new UpSampling2DSpec(3),
            new FlattenSpec(),
            new DropoutSpec(0.5f),
            new DenseSpec(10, ActivationKind.Softmax, KernelRegularizer: Regularizer.OfL1L2(1e-5f, 1e-4f)),
        ],
        LossKind.SoftmaxCrossEntropy);

    [Fact]
    public void EveryImageLayerSurvivesAJsonRoundTrip()
    {
        string json = Spec.ToJson();
        Assert.Contains("\"type\": \"conv2d\"", json, StringComparison.Ordinal);
        Assert.Contains("\"padding\": \"same\"", json, StringComparison.Ordinal);
        ModelSpec back = ModelSpec.FromJson(json);
        Assert.Equal(Spec, back);
        Assert.Equal(Spec.Layers, back.Layers);
    }

    [Fact]
    public void MaxAndAveragePoolingShareTheirSettingsCodeButStayDistinctLayers()
    {
        var max = new ModelSpec([5, 5, 2], [new MaxPool2DSpec(2)], LossKind.MeanSquaredError);
        var avg = new ModelSpec([5, 5, 2], [new AvgPool2DSpec(2)], LossKind.MeanSquaredError);

        Assert.NotEqual<LayerSpec>(new MaxPool2DSpec(2), new AvgPool2DSpec(2));
        Assert.DoesNotContain("strides", max.ToJson(), StringComparison.Ordinal);
        Assert.Contains("\"strides\": 1", new ModelSpec([5, 5, 2], [new AvgPool2DSpec(2, 1)], LossKind.MeanSquaredError).ToJson(), StringComparison.Ordinal);
        Assert.IsType<AvgPool2DSpec>(Assert.Single(ModelSpec.FromJson(avg.ToJson()).Layers));
        Assert.True(((Pool2DLayer)max.CreateLayers()[0]).IsMax);
        Assert.False(((Pool2DLayer)avg.CreateLayers()[0]).IsMax);
        // 'valid' 2×2 with stride 2 on 5×5: ⌊(5 − 2)/2⌋ + 1 = 2, for both.
        Assert.Equal([2, 2, 2], max.OutputShape);
        Assert.Equal([2, 2, 2], avg.OutputShape);
        var tooBig = new ModelSpec([4, 4, 1], [new AvgPool2DSpec(5)], LossKind.MeanSquaredError);
        Assert.Contains("average_pooling2d_0", Assert.Throws<ArgumentException>(tooBig.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputShapesFollowTheTensorFlowArithmetic()
    {
        // 28 same → 28; pool 2 → 14; conv 3 stride 2 valid → ⌊(14 − 3)/2⌋ + 1 = 6; avg same stride 1 → 6; ×3 → 18.
        IReadOnlyList<Layer> layers = Spec.CreateLayers();
        Assert.Equal([28, 28, 32], layers[0].OutputShape);
        Assert.Equal([14, 14, 32], layers[1].OutputShape);
        Assert.Equal([6, 6, 64], layers[2].OutputShape);
        Assert.Equal([6, 6, 64], layers[3].OutputShape);
        Assert.Equal([18, 18, 64], layers[4].OutputShape);
        Assert.Equal([18 * 18 * 64], layers[5].OutputShape);
        Assert.Equal([10], Spec.OutputShape);
    }

    [Fact]
    public void TheConvKernelIsStoredAsKhKwCinCoutAfterWhichComesTheBias()
    {
        ParameterLayout layout = ParameterLayout.For(Spec);
        Assert.Equal([3, 3, 1, 32], layout["conv2d_0/kernel"].Shape);
        Assert.Equal([32], layout["conv2d_0/bias"].Shape);
        Assert.Equal([3, 3, 32, 64], layout["conv2d_1/kernel"].Shape);
        Assert.Equal(layout["conv2d_0/kernel"].Offset + 288, layout["conv2d_0/bias"].Offset);
    }

    [Fact]
    public void BadImageLayersAreRejectedWithTheLayerNameAndTheProblem()
    {
        var flat = new ModelSpec([784], [new Conv2DSpec(8, 3)], LossKind.MeanSquaredError);
        var ex = Assert.Throws<ArgumentException>(flat.Validate);
        Assert.Contains("conv2d_0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[height, width, channels]", ex.Message, StringComparison.Ordinal);

        var tooBig = new ModelSpec([4, 4, 1], [new MaxPool2DSpec(5)], LossKind.MeanSquaredError);
        ex = Assert.Throws<ArgumentException>(tooBig.Validate);
        Assert.Contains("max_pooling2d_0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'valid'", ex.Message, StringComparison.Ordinal);

        Assert.Contains("dropout rate", Assert.Throws<ArgumentException>(new ModelSpec([4], [new DropoutSpec(1f)], LossKind.MeanSquaredError).Validate).Message, StringComparison.Ordinal);
        Assert.Contains("≥ 0", Assert.Throws<ArgumentException>(new ModelSpec([4], [new DenseSpec(2, KernelRegularizer: new Regularizer(-1f))], LossKind.MeanSquaredError).Validate).Message, StringComparison.Ordinal);
        Assert.Contains("stride", Assert.Throws<ArgumentException>(new ModelSpec([4, 4, 1], [new Conv2DSpec(2, 3, 0)], LossKind.MeanSquaredError).Validate).Message, StringComparison.Ordinal);

        var json = Spec.ToJson().Replace("\"same\"", "\"full\"", StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => ModelSpec.FromJson(json));
    }

    [Fact]
    public void TheSummaryListsEachLayersOutputShapeAndParametersAndTheirTotal()
    {
        ModelSummary summary = ModelSummary.For(Spec);
        IReadOnlyList<Layer> layers = Spec.CreateLayers();
        Assert.Equal(layers.Select(l => l.Name), summary.Layers.Select(l => l.Name));
        Assert.Equal(layers.Select(l => l.ParameterCount), summary.Layers.Select(l => l.Parameters));
        Assert.Equal((3 * 3 * 1 * 32) + 32, summary.Layers[0].Parameters);
        Assert.Equal((3 * 3 * 32 * 64) + 64, summary.Layers[2].Parameters);
        Assert.Equal(ParameterLayout.For(Spec).Total, summary.TotalParameters);
        Assert.Equal("Conv2D", summary.Layers[0].Type);

        string text = summary.ToText();
        Assert.Contains("conv2d_0 (Conv2D)", text, StringComparison.Ordinal);
        Assert.Contains("(None, 14, 14, 32)", text, StringComparison.Ordinal);
        Assert.Contains($"Total params: {summary.TotalParameters:N0}", text, StringComparison.Ordinal);

        using JsonDocument json = JsonDocument.Parse(summary.ToJson());
        Assert.Equal(summary.TotalParameters, json.RootElement.GetProperty("totalParameters").GetInt64());
        Assert.Equal(8, json.RootElement.GetProperty("layers").GetArrayLength());
        Assert.Equal(18, json.RootElement.GetProperty("layers")[4].GetProperty("outputShape")[0].GetInt32());
    }
}
