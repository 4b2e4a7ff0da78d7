using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Tests.Models;

namespace DistTrain.Kernels.Tests.Optim;

/// <summary>The optimiser step against values computed by hand (or in double on the host).</summary>
public sealed class SgdOptimizerTests
{
    [Fact]
    public void DecideTakesTheNormOfTheMeanGradientAndClipsLikeClipByGlobalNorm()
    {
        var spec = new OptimizerSpec(0.5f, ClipNorm: 1f);

        // Gradient sum (30, 40) over a batch of 10: mean (3, 4), norm 5 → factor 1/5.
        StepDecision clipped = Optimizer.Decide(spec, 0, (30.0 * 30) + (40.0 * 40), 10);
        StepDecision unclipped = Optimizer.Decide(spec, 0, (3.0 * 3) + (4.0 * 4), 10);

        Assert.False(clipped.Skip);
        Assert.True(clipped.Clipped);
        Assert.Equal(5.0, clipped.GradientNorm, 12);
        Assert.Equal((float)(0.1 * 0.2), clipped.GradientScale);
        Assert.Equal(0.5f, clipped.LearningRate);
        Assert.False(unclipped.Clipped);
        Assert.Equal(0.1f, unclipped.GradientScale);
        Assert.Equal(0.5, unclipped.GradientNorm, 12);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ANonFiniteGradientSkipsTheStep(double sumOfSquares)
    {
        StepDecision d = Optimizer.Decide(new OptimizerSpec(0.1f, ClipNorm: 1f), 3, sumOfSquares, 10);

        Assert.True(d.Skip);
    }

    [Fact]
    public void DecideUsesTheScheduleAtTheGivenStep()
    {
        var spec = new OptimizerSpec(1f, Schedule: new StepDecaySchedule(10, 0.1));

        Assert.Equal(0.01f, Optimizer.Decide(spec, 25, 1, 1).LearningRate);
    }

    [Theory]
    [InlineData(0f, false, 0f)]
    [InlineData(0.9f, false, 0f)]
    [InlineData(0.9f, true, 0f)]
    [InlineData(0.9f, false, 0.01f)]
    [InlineData(0.5f, true, 0.1f)]
    public void ThreeStepsMatchTheMomentumFormulaComputedByHand(float momentum, bool nesterov, float weightDecay)
    {
        var spec = new OptimizerSpec(0.1f, momentum, nesterov, weightDecay, ClipNorm: 2f);
        float[] w = [1f, -2f, 0.5f];
        float[][] gradientSums = [[4f, 0f, -8f], [40f, 30f, 0f], [-1f, 1f, 2f]];
        const int batch = 4;
        using var backend = new CpuBackend(1);
        using DeviceBuffer weights = backend.Allocate(3);
        using DeviceBuffer gradient = backend.Allocate(3);
        using DeviceBuffer velocity = backend.Allocate(3);
        weights.Upload(w);

        double[] ew = [.. w.Select(x => (double)x)];
        double[] ev = new double[3];
        for (int step = 0; step < 3; step++)
        {
            float[] g = gradientSums[step];
            gradient.Upload(g);
            StepDecision d = Optimizer.Decide(spec, step, backend.SumOfSquares(gradient), batch);
            Optimizer.Apply(backend, weights, gradient, [velocity.All], spec, d, 1);

            // By hand: mean gradient, clip by global norm 2, L2 decay, momentum, (Nesterov) update.
            double norm = Math.Sqrt(g.Sum(x => (double)x * x)) / batch;
            double factor = 2 / Math.Max(norm, 2);
            for (int i = 0; i < 3; i++)
            {
                double gi = (g[i] / (double)batch * factor) + (weightDecay * ew[i]);
                ev[i] = (momentum * ev[i]) + gi;
                ew[i] -= 0.1 * (nesterov ? gi + (momentum * ev[i]) : ev[i]);
            }
        }

        float[] actual = weights.ToArray();
        float[] actualVelocity = velocity.ToArray();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(ew[i], actual[i], 5);
            Assert.Equal(ev[i], actualVelocity[i], 5);
        }
    }

    [Fact]
    public void ASkippedStepLeavesWeightsAndVelocityBitIdentical()
    {
        var spec = new OptimizerSpec(0.1f, 0.9f);
        using var backend = new CpuBackend(1);
        using DeviceBuffer weights = backend.Allocate(2);
        using DeviceBuffer gradient = backend.Allocate(2);
        using DeviceBuffer velocity = backend.Allocate(2);
        weights.Upload([1f, 2f]);
        velocity.Upload([0.25f, -0.5f]);
        gradient.Upload([float.NaN, 1f]);

        StepDecision d = Optimizer.Decide(spec, 0, backend.SumOfSquares(gradient), 2);
        Optimizer.Apply(backend, weights, gradient, [velocity.All], spec, d, 1);

        Assert.True(d.Skip);
        SyntheticData.AssertBitIdentical([1f, 2f], weights.ToArray(), "weights");
        SyntheticData.AssertBitIdentical([0.25f, -0.5f], velocity.ToArray(), "velocity");
    }
}
