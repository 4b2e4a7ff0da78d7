using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>
/// The fused Adam, RMSprop and Adagrad updates, one thread per element, in the same operation
/// order as the CPU backend (see <see cref="AdamStep"/>, <see cref="RmsPropStep"/>,
/// <see cref="AdagradStep"/>). A vector a rule does not use is replaced by the weights' view,
/// which the kernel then never touches.
/// </summary>
public sealed partial class IlGpuBackend
{
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArguments>? _adam;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, RmsPropArguments>? _rmsProp;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdagradStep>? _adagrad;

    /// <inheritdoc />
    public void Adam(BufferSpan weights, BufferSpan gradient, BufferSpan m, BufferSpan v, BufferSpan vMax, AdamStep step)
    {
        var w = View(weights, nameof(weights));
        var g = View(gradient, nameof(gradient));
        var mv = View(m, nameof(m));
        var vv = View(v, nameof(v));
        RequireSameLength(weights, nameof(weights), gradient, nameof(gradient));
        RequireSameLength(weights, nameof(weights), m, nameof(m));
        RequireSameLength(weights, nameof(weights), v, nameof(v));
        var hv = w;
        if (step.Amsgrad)
        {
            hv = View(vMax, nameof(vMax));
            RequireSameLength(weights, nameof(weights), vMax, nameof(vMax));
        }

        if (weights.Length > 0)
        {
            _adam ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArguments>(AdamKernel);
            _adam(weights.Length, w, g, mv, vv, hv, AdamArguments.From(step));
        }
    }

    /// <inheritdoc />
    public void RmsProp(BufferSpan weights, BufferSpan gradient, BufferSpan meanSquare, BufferSpan momentum, BufferSpan meanGradient, RmsPropStep step)
    {
        var w = View(weights, nameof(weights));
        var g = View(gradient, nameof(gradient));
        var s = View(meanSquare, nameof(meanSquare));
        RequireSameLength(weights, nameof(weights), gradient, nameof(gradient));
        RequireSameLength(weights, nameof(weights), meanSquare, nameof(meanSquare));
        var p = w;
        if (step.Momentum > 0)
        {
            p = View(momentum, nameof(momentum));
            RequireSameLength(weights, nameof(weights), momentum, nameof(momentum));
        }

        var mg = w;
        if (step.Centered)
        {
            mg = View(meanGradient, nameof(meanGradient));
            RequireSameLength(weights, nameof(weights), meanGradient, nameof(meanGradient));
        }

        if (weights.Length > 0)
        {
            _rmsProp ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, RmsPropArguments>(RmsPropKernel);
            _rmsProp(weights.Length, w, g, s, p, mg, RmsPropArguments.From(step));
        }
    }

    /// <inheritdoc />
    public void Adagrad(BufferSpan weights, BufferSpan gradient, BufferSpan accumulator, AdagradStep step)
    {
        var w = View(weights, nameof(weights));
        var g = View(gradient, nameof(gradient));
        var a = View(accumulator, nameof(accumulator));
        RequireSameLength(weights, nameof(weights), gradient, nameof(gradient));
        RequireSameLength(weights, nameof(weights), accumulator, nameof(accumulator));
        if (weights.Length > 0)
        {
            _adagrad ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdagradStep>(AdagradKernel);
            _adagrad(weights.Length, w, g, a, step);
        }
    }

    /// <summary>Adam/AdamW on element i (see <see cref="AdamStep"/>).</summary>
    private static void AdamKernel(Index1D i, ArrayView<float> weights, ArrayView<float> gradient, ArrayView<float> m, ArrayView<float> v, ArrayView<float> vMax, AdamArguments step)
    {
        var w = weights[i];
        var g = (step.GradientScale * gradient[i]) + (step.WeightDecay * w);
        if (step.DecoupledDecay != 0f)
        {
            w -= w * step.DecoupledDecay;
        }

        var mi = m[i] + ((g - m[i]) * step.OneMinusBeta1);
        var vi = v[i] + (((g * g) - v[i]) * step.OneMinusBeta2);
        var second = vi;
        if (step.Amsgrad != 0)
        {
            var previous = vMax[i];
            second = previous > vi ? previous : vi;
            vMax[i] = second;
        }

        m[i] = mi;
        v[i] = vi;
        weights[i] = w - ((mi * step.Alpha) / (XMath.Sqrt(second) + step.Epsilon));
    }

    /// <summary>RMSprop on element i (see <see cref="RmsPropStep"/>).</summary>
    private static void RmsPropKernel(Index1D i, ArrayView<float> weights, ArrayView<float> gradient, ArrayView<float> meanSquare, ArrayView<float> momentum, ArrayView<float> meanGradient, RmsPropArguments step)
    {
        var w = weights[i];
        var g = (step.GradientScale * gradient[i]) + (step.WeightDecay * w);
        var s = (step.Rho * meanSquare[i]) + (step.OneMinusRho * (g * g));
        meanSquare[i] = s;
        var denominator = s;
        if (step.Centered != 0)
        {
            var mg = (step.Rho * meanGradient[i]) + (step.OneMinusRho * g);
            meanGradient[i] = mg;
            denominator -= mg * mg;
        }

        var increment = (step.LearningRate * g) / XMath.Sqrt(denominator + step.Epsilon);
        if (step.Momentum > 0f)
        {
            increment = (step.Momentum * momentum[i]) + increment;
            momentum[i] = increment;
        }

        weights[i] = w - increment;
    }

    /// <summary>Adagrad on element i (see <see cref="AdagradStep"/>).</summary>
    private static void AdagradKernel(Index1D i, ArrayView<float> weights, ArrayView<float> gradient, ArrayView<float> accumulator, AdagradStep step)
    {
        var w = weights[i];
        var g = (step.GradientScale * gradient[i]) + (step.WeightDecay * w);
        var a = accumulator[i] + (g * g);
        accumulator[i] = a;
        weights[i] = w - ((step.LearningRate * g) / XMath.Sqrt(a + step.Epsilon));
    }
}

/// <summary>The fields of <see cref="AdamStep"/> as a kernel argument (bool as int for the device).</summary>
internal readonly record struct AdamArguments(float Alpha, float OneMinusBeta1, float OneMinusBeta2, float Epsilon, float GradientScale, float WeightDecay, float DecoupledDecay, int Amsgrad)
{
    public static AdamArguments From(AdamStep s) =>
        new(s.Alpha, s.OneMinusBeta1, s.OneMinusBeta2, s.Epsilon, s.GradientScale, s.WeightDecay, s.DecoupledDecay, s.Amsgrad ? 1 : 0);
}

/// <summary>The fields of <see cref="RmsPropStep"/> as a kernel argument (bool as int for the device).</summary>
internal readonly record struct RmsPropArguments(float LearningRate, float Rho, float OneMinusRho, float Momentum, float Epsilon, float GradientScale, float WeightDecay, int Centered)
{
    public static RmsPropArguments From(RmsPropStep s) =>
        new(s.LearningRate, s.Rho, s.OneMinusRho, s.Momentum, s.Epsilon, s.GradientScale, s.WeightDecay, s.Centered ? 1 : 0);
}
