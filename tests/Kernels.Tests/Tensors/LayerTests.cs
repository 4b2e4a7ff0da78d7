using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Tensors;
using DistTrain.Kernels.Tensors.Layers;
using static DistTrain.Kernels.Tensors.Tensor;

namespace DistTrain.Kernels.Tests.Tensors;

public class LayerTests
{
    [Theory]
    [InlineData(0f, false, 0f)]
    [InlineData(0.9f, false, 0f)]
    [InlineData(0.9f, true, 1e-3f)]
    public void SgdTakesTheSameStepsAsTheTrainersMomentumUpdate(float momentum, bool nesterov, float weightDecay)
    {
        var start = Tensor.Random.Normal([257], seed: 1).ToArray<float>();
        var w = new Variable(From(start));
        var sgd = new Sgd(0.1, momentum, nesterov, weightDecay);
        using var backend = new CpuBackend(1);
        using var weights = backend.Allocate(start.Length);
        using var gradient = backend.Allocate(start.Length);
        using var velocity = backend.Allocate(start.Length);
        weights.Upload(start);
        for (int step = 0; step < 3; step++)
        {
            var g = Tensor.Random.Normal([257], seed: 10 + (ulong)step);
            sgd.ApplyGradients([g], [w]);
            gradient.Upload(g.ToArray<float>());
            backend.MomentumSgd(weights, gradient, velocity, new SgdStep(0.1f, momentum, nesterov, weightDecay, 1f));
        }

        var expected = weights.ToArray();
        var actual = w.ToArray<float>();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1, Math.Abs(expected[i])), $"{i}: {expected[i]} vs {actual[i]}");
        }
    }

    [Fact]
    public void DenseBuildsFromTheFirstInputAndSequentialCollectsItsVariables()
    {
        var model = new Sequential(new Dense(8, Activation.Relu), new Dense(3));
        Assert.Empty(model.Variables);
        var y = model.Invoke(Ones([5, 4]));
        Assert.Equal(new[] { 5, 3 }, y.Shape.ToArray());
        Assert.Equal(new[] { "(4, 8)", "(8,)", "(8, 3)", "(3,)" }, model.Variables.Select(v => v.Shape.ToString()));
        Assert.Contains("Total params: 67", model.Summary());
        var error = Assert.Throws<ArgumentException>(() => new Dense(2).Invoke(Ones([4])));
        Assert.Contains("rank", error.Message);
    }

    [Fact]
    public void NonTrainableWeightsAreLeftOutOfTrainableVariables()
    {
        var layer = new Frozen();
        Assert.Single(layer.TrainableVariables);
        Assert.Equal(2, layer.Variables.Count);
        using var tape = new GradientTape();
        var loss = ReduceSum(layer.Invoke(Ones([2, 3])));
        var grads = tape.Gradient(loss, layer.Variables);
        Assert.NotNull(grads[0]);
        Assert.Null(grads[1]);
    }

    private sealed class Frozen : Layer
    {
        private readonly Variable _scale;
        private readonly Variable _shift;

        public Frozen()
        {
            _scale = AddWeight("scale", [3], Initializers.Ones());
            _shift = AddWeight("shift", [3], Initializers.Ones(), trainable: false);
        }

        public override Tensor Call(Tensor input, bool training = false) => (input * _scale) + _shift;
    }
}
