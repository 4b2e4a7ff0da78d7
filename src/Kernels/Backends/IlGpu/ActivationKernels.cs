using ILGPU;
using ILGPU.Algorithms;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>
/// Activation kernels. Element-wise ones run a thread per element; softmax runs a thread per
/// row and walks the row in order (max, Σ e^(x−max), normalise), which keeps it deterministic.
/// Shapes: input, output, gradOutput, gradInput: (rows, cols).
/// </summary>
internal static class ActivationKernels
{
    /// <summary>output[i] = f(input[i]) for Linear, Relu, Sigmoid, Tanh (kind is an <see cref="ActivationKind"/>).</summary>
    public static void ActivationForwardKernel(Index1D i, ArrayView<float> input, ArrayView<float> output, int kind)
    {
        var x = input[i];
        output[i] = kind switch
        {
            (int)ActivationKind.Relu => x > 0f ? x : 0f,
            (int)ActivationKind.Sigmoid => Sigmoid(x),
            (int)ActivationKind.Tanh => XMath.Tanh(x),
            _ => x,
        };
    }

    /// <summary>
    /// gradInput[i] = f'(·)·gradOutput[i] from the forward output y:
    /// relu: y &gt; 0; sigmoid: y(1 − y); tanh: 1 − y².
    /// </summary>
    public static void ActivationBackwardKernel(Index1D i, ArrayView<float> output, ArrayView<float> gradOutput, ArrayView<float> gradInput, int kind)
    {
        var y = output[i];
        var g = gradOutput[i];
        gradInput[i] = kind switch
        {
            (int)ActivationKind.Relu => y > 0f ? g : 0f,
            (int)ActivationKind.Sigmoid => g * y * (1f - y),
            (int)ActivationKind.Tanh => g * (1f - (y * y)),
            _ => g,
        };
    }

    /// <summary>Row-wise softmax: output[r, j] = e^(x_j − max) / Σ_i e^(x_i − max).</summary>
    public static void SoftmaxForwardKernel(Index1D r, ArrayView<float> input, ArrayView<float> output, int cols)
    {
        var start = r * cols;
        var max = input[start];
        for (var j = 1; j < cols; j++)
        {
            max = XMath.Max(max, input[start + j]);
        }

        var sum = 0f;
        for (var j = 0; j < cols; j++)
        {
            var e = XMath.Exp(input[start + j] - max);
            output[start + j] = e;
            sum += e;
        }

        var inverse = 1f / sum;
        for (var j = 0; j < cols; j++)
        {
            output[start + j] *= inverse;
        }
    }

    /// <summary>Softmax backward per row: gradInput_j = y_j·(g_j − Σ_i y_i·g_i); gradInput may alias gradOutput.</summary>
    public static void SoftmaxBackwardKernel(Index1D r, ArrayView<float> output, ArrayView<float> gradOutput, ArrayView<float> gradInput, int cols)
    {
        var start = r * cols;
        var dot = 0f;
        for (var j = 0; j < cols; j++)
        {
            dot += output[start + j] * gradOutput[start + j];
        }

        for (var j = 0; j < cols; j++)
        {
            gradInput[start + j] = output[start + j] * (gradOutput[start + j] - dot);
        }
    }

    /// <summary>σ(x) = 1 / (1 + e^−x), written so that e^… never overflows: for x &lt; 0, e^x / (1 + e^x).</summary>
    public static float Sigmoid(float x)
    {
        if (x >= 0f)
        {
            return 1f / (1f + XMath.Exp(-x));
        }

        var e = XMath.Exp(x);
        return e / (1f + e);
    }
}
