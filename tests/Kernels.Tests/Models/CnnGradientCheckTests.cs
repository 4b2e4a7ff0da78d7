using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Models;

/// <summary>
/// Finite-difference checks of the gradient sums through every image layer, on odd sizes with
/// stride 1 and 2, square and (height, width) windows and strides, both paddings, and of the
/// kernel regularisers. The parameterless layers sit between a Conv2D and a Dense, so their
/// backward pass carries the conv's gradient.
/// </summary>
public sealed class CnnGradientCheckTests
{
    private const int Batch = 4;
    private const int Classes = 3;

    [Theory]
    [InlineData(1, PaddingKind.Same)]
    [InlineData(1, PaddingKind.Valid)]
    [InlineData(2, PaddingKind.Same)]
    [InlineData(2, PaddingKind.Valid)]
    public void Conv2DGradientMatchesFiniteDifferences(int stride, PaddingKind padding) =>
        Check([new Conv2DSpec(3, 3, stride, padding, ActivationKind.Tanh), new Conv2DSpec(2, 2, stride, PaddingKind.Same, ActivationKind.Sigmoid)], seed: 10 + stride + (int)padding);

    [Theory]
    [InlineData(2, 2, PaddingKind.Same)]
    [InlineData(2, 2, PaddingKind.Valid)]
    [InlineData(3, 2, PaddingKind.Same)]
    [InlineData(3, 1, PaddingKind.Valid)]
    public void MaxPool2DGradientMatchesFiniteDifferences(int pool, int stride, PaddingKind padding) =>
        Check([Conv(), new MaxPool2DSpec(pool, stride, padding)], seed: 20 + pool + stride + (int)padding, step: 1e-3f, kinks: true);

    [Theory]
    [InlineData(2, 2, PaddingKind.Same)]
    [InlineData(2, 2, PaddingKind.Valid)]
    [InlineData(3, 2, PaddingKind.Same)]
    [InlineData(3, 1, PaddingKind.Valid)]
    public void AvgPool2DGradientMatchesFiniteDifferences(int pool, int stride, PaddingKind padding) =>
        Check([Conv(), new AvgPool2DSpec(pool, stride, padding)], seed: 30 + pool + stride + (int)padding);

    [Fact]
    public void UpSampling2DGradientMatchesFiniteDifferences() =>
        Check([Conv(), new UpSampling2DSpec(2), new Conv2DSpec(2, 3, 2, PaddingKind.Same, ActivationKind.Tanh)], seed: 40);

    [Theory]
    [InlineData(PaddingKind.Same)]
    [InlineData(PaddingKind.Valid)]
    public void NonSquareConv2DGradientMatchesFiniteDifferences(PaddingKind padding) =>
        Check([new Conv2DSpec(3, new Size2D(2, 3), new Size2D(2, 1), padding, ActivationKind.Tanh), new Conv2DSpec(2, new Size2D(3, 1), new Size2D(1, 2), PaddingKind.Same, ActivationKind.Sigmoid)], seed: 70 + (int)padding);

    [Theory]
    [InlineData(PaddingKind.Same)]
    [InlineData(PaddingKind.Valid)]
    public void NonSquareMaxPool2DGradientMatchesFiniteDifferences(PaddingKind padding) =>
        Check([Conv(), new MaxPool2DSpec(new Size2D(2, 3), new Size2D(1, 2), padding)], seed: 80 + (int)padding, step: 1e-3f, kinks: true);

    [Theory]
    [InlineData(PaddingKind.Same)]
    [InlineData(PaddingKind.Valid)]
    public void NonSquareAvgPool2DGradientMatchesFiniteDifferences(PaddingKind padding) =>
        Check([Conv(), new AvgPool2DSpec(new Size2D(3, 2), Padding: padding)], seed: 90 + (int)padding);

    [Fact]
    public void NonSquareUpSampling2DGradientMatchesFiniteDifferences() =>
        Check([Conv(), new UpSampling2DSpec(new Size2D(1, 2)), new Conv2DSpec(2, new Size2D(3, 2), 2, PaddingKind.Same, ActivationKind.Tanh)], seed: 100);

    [Fact]
    public void DropoutGradientMatchesFiniteDifferencesWithTheStepsMask() =>
        Check([Conv(), new DropoutSpec(0.4f)], seed: 50);

    [Theory]
    [InlineData(0.01f, 0f)]
    [InlineData(0f, 0.02f)]
    [InlineData(0.01f, 0.02f)]
    public void KernelRegularizersAddTheirPenaltyAndGradientPerSample(float l1, float l2)
    {
        var regularizer = new Regularizer(l1, l2);
        Check([new Conv2DSpec(2, 3, 2, PaddingKind.Same, ActivationKind.Tanh, KernelRegularizer: regularizer)], seed: 60, dense: new DenseSpec(Classes, KernelRegularizer: regularizer));
    }

    private static Conv2DSpec Conv() => new(3, 3, 1, PaddingKind.Same, ActivationKind.Tanh);

    /// <summary>Input [7, 5, 2] → <paramref name="layers"/> → Flatten → Dense(3), softmax cross-entropy, checked element by element.</summary>
    private static void Check(LayerSpec[] layers, int seed, float step = 1e-2f, DenseSpec? dense = null, bool kinks = false)
    {
        var spec = new ModelSpec([7, 5, 2], [.. layers, new FlattenSpec(), dense ?? new DenseSpec(Classes)], LossKind.SoftmaxCrossEntropy);
        using var backend = new CpuBackend(1);
        using var replica = new ModelReplica(spec, backend);
        var random = new System.Random(seed);
        float[] weights = ParameterInitializer.Initialize(spec, (ulong)seed);
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] += (float)((random.NextDouble() - 0.5) * 0.2);

            // Away from 0, where the L1 penalty has its kink.
            weights[i] = Math.Abs(weights[i]) < 0.03f ? weights[i] + (weights[i] < 0 ? -0.05f : 0.05f) : weights[i];
        }

        var inputs = new float[Batch * spec.InputSize];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var targets = new float[Batch * Classes];
        for (int r = 0; r < Batch; r++)
        {
            targets[(r * Classes) + random.Next(Classes)] = 1f;
        }

        var data = new InMemoryDataSet(inputs, targets, spec.InputShape, Classes);
        var plan = new BatchPlan(Batch, Batch, 2, (ulong)seed);
        replica.SetWeights(weights);
        float[] gradient = Assert.Single(replica.ComputeGradients(data, plan, 5, 0, 2).Partials).Gradient;

        double scale = gradient.Max(Math.Abs);
        double loss = replica.ComputeGradients(data, plan, 5, 0, 2).LossSum;
        int straddled = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            float original = weights[i];
            float h = step * Math.Max(1f, Math.Abs(original));
            weights[i] = original + h;
            replica.SetWeights(weights);
            double plus = replica.ComputeGradients(data, plan, 5, 0, 2).LossSum;
            weights[i] = original - h;
            replica.SetWeights(weights);
            double minus = replica.ComputeGradients(data, plan, 5, 0, 2).LossSum;
            weights[i] = original;
            double numeric = (plus - minus) / ((double)(original + h) - (original - h));
            double tolerance = (2e-3 * scale) + (1e-2 * Math.Abs(numeric));

            // Max pooling is piecewise smooth: where the one-sided slopes differ by far more than
            // the curvature explains (h·f'' is far below the tolerance at h = 1e-3), a switch of the window's
            // maximum lies within ±h and central differences say nothing; count those.
            if (kinks && Math.Abs(((plus - loss) / h) - ((loss - minus) / h)) > 2 * tolerance)
            {
                straddled++;
                continue;
            }

            Assert.True(
                Math.Abs(gradient[i] - numeric) <= tolerance,
                $"{replica.Layout.Entries.First(e => i >= e.Offset && i < e.Offset + e.Length).Name} element {i}: analytic {gradient[i]:R}, numeric {numeric:R}.");
        }

        Assert.True(straddled <= weights.Length / 8, $"{straddled} of {weights.Length} elements straddle a kink; the check needs smaller steps.");
    }
}
