using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Tests.Models;

/// <summary>
/// Finite-difference checks of the gradient SUM that <see cref="ModelReplica"/> computes, for
/// every activation of a hidden Dense layer and every loss. Small sizes; central differences
/// in float32, so the tolerance is scaled to the magnitude of the gradient.
/// </summary>
public sealed class GradientCheckTests
{
    private const int Inputs = 4;
    private const int Hidden = 5;
    private const int Outputs = 3;
    private const int Batch = 8;

    public static TheoryData<ActivationKind, LossKind> Cases()
    {
        var data = new TheoryData<ActivationKind, LossKind>();
        foreach (ActivationKind activation in Enum.GetValues<ActivationKind>())
        {
            foreach (LossKind loss in Enum.GetValues<LossKind>())
            {
                data.Add(activation, loss);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DenseGradientMatchesFiniteDifferences(ActivationKind activation, LossKind loss)
    {
        var spec = new ModelSpec([Inputs], [new DenseSpec(Hidden, activation), new DenseSpec(Outputs)], loss);
        CheckGradient(spec, seed: 3 + (int)activation + (10 * (int)loss));
    }

    [Theory]
    [InlineData(ActivationKind.Softmax, LossKind.SoftmaxCrossEntropy)]
    [InlineData(ActivationKind.Sigmoid, LossKind.BinaryCrossEntropy)]
    [InlineData(ActivationKind.Tanh, LossKind.MeanSquaredError)]
    public void OutputActivationGradientMatchesFiniteDifferences(ActivationKind output, LossKind loss)
    {
        // Softmax before CE and sigmoid before BCE are fused into the loss; tanh before MSE is a real layer activation.
        var spec = new ModelSpec([Inputs], [new DenseSpec(Hidden, ActivationKind.Tanh), new DenseSpec(Outputs, output)], loss);
        CheckGradient(spec, seed: 77);
    }

    private static void CheckGradient(ModelSpec spec, int seed)
    {
        using var backend = new CpuBackend(1);
        using var replica = new ModelReplica(spec, backend);
        var random = new System.Random(seed);
        float[] weights = ParameterInitializer.Initialize(spec, (ulong)seed);
        for (int i = 0; i < weights.Length; i++)
        {
            // Non-zero biases too, so that their gradient paths are exercised away from 0.
            weights[i] += (float)((random.NextDouble() - 0.5) * 0.4);
        }

        // ReLU has a kink at 0: draw inputs until no hidden pre-activation lies within reach of a
        // perturbation (|Δz| ≤ h·max|x| ≈ 0.01), so central differences see a smooth function.
        InMemoryDataSet data;
        do
        {
            data = MakeData(spec.Loss, random);
        }
        while (MinAbsHiddenPreActivation(weights, data.Inputs.ToArray()) < 0.03);
        var plan = new BatchPlan(Batch, Batch, 4, (ulong)seed);

        replica.SetWeights(weights);
        ShardGradients analytic = replica.ComputeGradients(data, plan, 0, 0, 4);
        float[] gradient = Assert.Single(analytic.Partials).Gradient;

        double scale = gradient.Max(Math.Abs);
        for (int i = 0; i < weights.Length; i++)
        {
            float original = weights[i];
            float h = 1e-2f * Math.Max(1f, Math.Abs(original));
            weights[i] = original + h;
            replica.SetWeights(weights);
            double plus = replica.ComputeGradients(data, plan, 0, 0, 4).LossSum;
            weights[i] = original - h;
            replica.SetWeights(weights);
            double minus = replica.ComputeGradients(data, plan, 0, 0, 4).LossSum;
            weights[i] = original;
            double numeric = (plus - minus) / ((double)(original + h) - (original - h));
            double tolerance = (1e-3 * scale) + (5e-3 * Math.Abs(numeric));
            Assert.True(
                Math.Abs(gradient[i] - numeric) <= tolerance,
                $"{replica.Layout.Entries.First(e => i >= e.Offset && i < e.Offset + e.Length).Name} element {i}: analytic {gradient[i]:R}, numeric {numeric:R}.");
        }
    }

    private static double MinAbsHiddenPreActivation(float[] weights, float[] inputs)
    {
        double min = double.PositiveInfinity;
        for (int r = 0; r < Batch; r++)
        {
            for (int j = 0; j < Hidden; j++)
            {
                double z = weights[(Inputs * Hidden) + j];
                for (int i = 0; i < Inputs; i++)
                {
                    z += (double)inputs[(r * Inputs) + i] * weights[(i * Hidden) + j];
                }

                min = Math.Min(min, Math.Abs(z));
            }
        }

        return min;
    }

    private static InMemoryDataSet MakeData(LossKind loss, System.Random random)
    {
        float[] inputs = SyntheticData.RandomFloats(random, Batch * Inputs);
        var targets = new float[Batch * Outputs];
        for (int r = 0; r < Batch; r++)
        {
            for (int c = 0; c < Outputs; c++)
            {
                targets[(r * Outputs) + c] = loss switch
                {
                    LossKind.MeanSquaredError => (float)((random.NextDouble() * 2) - 1),
                    LossKind.BinaryCrossEntropy => (float)random.NextDouble(),
                    _ => 0f,
                };
            }

            if (loss == LossKind.SoftmaxCrossEntropy)
            {
                targets[(r * Outputs) + random.Next(Outputs)] = 1f;
            }
        }

        return new InMemoryDataSet(inputs, targets, [Inputs], Outputs);
    }
}
