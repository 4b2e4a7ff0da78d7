using ILGPU;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>
/// One-thread-per-element kernels. Each thread writes only its own element, so the results do
/// not depend on how the accelerator groups threads.
/// </summary>
internal static class ElementwiseKernels
{
    /// <summary>x[i] = value.</summary>
    public static void FillKernel(Index1D i, ArrayView<float> x, float value) => x[i] = value;

    /// <summary>destination[i] = source[i].</summary>
    public static void CopyKernel(Index1D i, ArrayView<float> source, ArrayView<float> destination) => destination[i] = source[i];

    /// <summary>x[i] *= alpha.</summary>
    public static void ScaleKernel(Index1D i, ArrayView<float> x, float alpha) => x[i] *= alpha;

    /// <summary>y[i] += alpha·x[i].</summary>
    public static void AxpyKernel(Index1D i, float alpha, ArrayView<float> x, ArrayView<float> y) => y[i] += alpha * x[i];

    /// <summary>result[i] = a[i] + b[i].</summary>
    public static void AddKernel(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> result) => result[i] = a[i] + b[i];

    /// <summary>x[r, c] += bias[c], one thread per element of x: (rows, cols).</summary>
    public static void AddBiasKernel(Index1D i, ArrayView<float> x, ArrayView<float> bias, int cols) => x[i] += bias[i % cols];

    /// <summary>
    /// gradBias[c] (+)= Σ_r gradOutput[r, c], one thread per column summing rows 0, 1, … in
    /// order (fixed order: deterministic). Neighbouring threads read neighbouring columns, so
    /// the loads coalesce.
    /// </summary>
    public static void BiasGradientKernel(Index1D c, ArrayView<float> gradOutput, ArrayView<float> gradBias, int rows, int cols, int accumulate)
    {
        var sum = 0f;
        for (var r = 0; r < rows; r++)
        {
            sum += gradOutput[(r * cols) + c];
        }

        gradBias[c] = accumulate != 0 ? gradBias[c] + sum : sum;
    }

    /// <summary>
    /// Momentum SGD (PyTorch form, see <see cref="SgdStep"/>):
    /// g' = scale·g + decay·w; v = μ·v + g'; w -= lr·(nesterov ? g' + μ·v : v).
    /// </summary>
    public static void MomentumSgdKernel(Index1D i, ArrayView<float> weights, ArrayView<float> gradient, ArrayView<float> velocity, SgdArguments step)
    {
        var w = weights[i];
        var g = (step.GradientScale * gradient[i]) + (step.WeightDecay * w);
        var v = (step.Momentum * velocity[i]) + g;
        velocity[i] = v;
        var update = step.Nesterov != 0 ? g + (step.Momentum * v) : v;
        weights[i] = w - (step.LearningRate * update);
    }

    /// <summary>
    /// Partial sums of squares in double: thread t sums x[t], x[t + P], x[t + 2P], … in
    /// order, where P = <paramref name="stride"/> is a constant of the backend. The partition
    /// depends only on the length, so the host's in-order sum of the partials is deterministic,
    /// and neighbouring threads read neighbouring elements.
    /// </summary>
    public static void SumOfSquaresKernel(Index1D t, ArrayView<float> x, ArrayView<double> partials, int length, int stride)
    {
        var sum = 0.0;
        for (var i = (int)t; i < length; i += stride)
        {
            double value = x[i];
            sum += value * value;
        }

        partials[t] = sum;
    }
}

/// <summary>The fields of <see cref="SgdStep"/> as a kernel argument (bool as int for the device).</summary>
internal readonly record struct SgdArguments(float LearningRate, float Momentum, int Nesterov, float WeightDecay, float GradientScale)
{
    public static SgdArguments From(SgdStep step) =>
        new(step.LearningRate, step.Momentum, step.Nesterov ? 1 : 0, step.WeightDecay, step.GradientScale);
}
