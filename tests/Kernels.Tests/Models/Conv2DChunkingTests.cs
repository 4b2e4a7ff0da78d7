using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Models;

namespace DistTrain.Kernels.Tests.Models;

/// <summary>Large batches are packed in chunks: same outputs and input gradients, the same kernel gradient within rounding.</summary>
public sealed class Conv2DChunkingTests
{
    [Fact]
    public void AChunkedConvolutionGivesTheSameOutputsAndGradientsAsAWholeBatch()
    {
        const int Rows = 7;
        var window = Window2D.Square(9, 8, 3, 3, 2, PaddingKind.Same);
        using var backend = new CpuBackend(2);
        using var whole = new Conv2DLayer("conv2d_0", window, 4, ActivationKind.Tanh);

        // Two samples' worth of columns per chunk: 7 rows become chunks of 2, 2, 2, 1.
        using var chunked = new Conv2DLayer("conv2d_0", window, 4, ActivationKind.Tanh) { MaxColumnFloats = 2 * window.OutputPixels * window.PatchSize };
        var random = new System.Random(5);
        float[] Values(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f)];
        using var weights = backend.Allocate(whole.ParameterCount);
        using var input = backend.Allocate(Rows * whole.InputSize);
        weights.Upload(Values(whole.ParameterCount));
        input.Upload(Values(Rows * whole.InputSize));
        float[] gradOutput = Values(Rows * whole.OutputSize);

        (float[] Output, float[] GradInput, float[] Gradient) Run(Conv2DLayer layer)
        {
            using var output = backend.Allocate(Rows * layer.OutputSize);
            using var grad = backend.Allocate(Rows * layer.OutputSize);
            using var gradInput = backend.Allocate(Rows * layer.InputSize);
            using var gradient = backend.Allocate(layer.ParameterCount);
            grad.Upload(gradOutput);
            layer.Allocate(backend, Rows);
            var context = new LayerContext(backend, true, 0, 0, 0);
            layer.Forward(context, weights, input, output, Rows);
            layer.Backward(context, weights, input, output, grad, gradInput.All, Rows);
            layer.ParameterGradients(context, input, grad, gradient, Rows);
            return (output.ToArray(), gradInput.ToArray(), gradient.ToArray());
        }

        var expected = Run(whole);
        var actual = Run(chunked);
        SyntheticData.AssertBitIdentical(expected.Output, actual.Output, "output");
        SyntheticData.AssertBitIdentical(expected.GradInput, actual.GradInput, "input gradient");
        double scale = expected.Gradient.Max(Math.Abs);
        for (int i = 0; i < expected.Gradient.Length; i++)
        {
            Assert.True(Math.Abs(expected.Gradient[i] - actual.Gradient[i]) <= 1e-5 * scale, $"parameter gradient {i}: {expected.Gradient[i]:R} vs {actual.Gradient[i]:R}");
        }
    }
}
