using System.Runtime.Intrinsics;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// The fused Adam, RMSprop and Adagrad updates: fixed blocks of <see cref="VectorBlock"/>
/// floats on any thread, each a Vector256 body and a scalar tail with the same operations in
/// the same order (separate multiplies and adds, IEEE division and square root), so every
/// element gets the same bits whichever path and thread computes it.
/// </summary>
public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public void Adam(BufferSpan weights, BufferSpan gradient, BufferSpan m, BufferSpan v, BufferSpan vMax, AdamStep step)
    {
        SameLength(weights, gradient, nameof(gradient));
        SameLength(weights, m, nameof(m));
        SameLength(weights, v, nameof(v));
        if (step.Amsgrad)
        {
            SameLength(weights, vMax, nameof(vMax));
            View(vMax, nameof(vMax));
        }

        View(weights, nameof(weights));
        View(gradient, nameof(gradient));
        View(m, nameof(m));
        View(v, nameof(v));
        ForEachBlock(weights.Length, ElementBlock, (_, start, length) => AdamUpdate(
            View(weights.Slice(start, length), nameof(weights)),
            View(gradient.Slice(start, length), nameof(gradient)),
            View(m.Slice(start, length), nameof(m)),
            View(v.Slice(start, length), nameof(v)),
            step.Amsgrad ? View(vMax.Slice(start, length), nameof(vMax)) : default,
            step));
    }

    /// <inheritdoc />
    public void RmsProp(BufferSpan weights, BufferSpan gradient, BufferSpan meanSquare, BufferSpan momentum, BufferSpan meanGradient, RmsPropStep step)
    {
        bool withMomentum = step.Momentum > 0;
        SameLength(weights, gradient, nameof(gradient));
        SameLength(weights, meanSquare, nameof(meanSquare));
        View(weights, nameof(weights));
        View(gradient, nameof(gradient));
        View(meanSquare, nameof(meanSquare));
        if (withMomentum)
        {
            SameLength(weights, momentum, nameof(momentum));
            View(momentum, nameof(momentum));
        }

        if (step.Centered)
        {
            SameLength(weights, meanGradient, nameof(meanGradient));
            View(meanGradient, nameof(meanGradient));
        }

        ForEachBlock(weights.Length, ElementBlock, (_, start, length) => RmsPropUpdate(
            View(weights.Slice(start, length), nameof(weights)),
            View(gradient.Slice(start, length), nameof(gradient)),
            View(meanSquare.Slice(start, length), nameof(meanSquare)),
            withMomentum ? View(momentum.Slice(start, length), nameof(momentum)) : default,
            step.Centered ? View(meanGradient.Slice(start, length), nameof(meanGradient)) : default,
            step));
    }

    /// <inheritdoc />
    public void Adagrad(BufferSpan weights, BufferSpan gradient, BufferSpan accumulator, AdagradStep step)
    {
        SameLength(weights, gradient, nameof(gradient));
        SameLength(weights, accumulator, nameof(accumulator));
        View(weights, nameof(weights));
        View(gradient, nameof(gradient));
        View(accumulator, nameof(accumulator));
        ForEachBlock(weights.Length, ElementBlock, (_, start, length) => AdagradUpdate(
            View(weights.Slice(start, length), nameof(weights)),
            View(gradient.Slice(start, length), nameof(gradient)),
            View(accumulator.Slice(start, length), nameof(accumulator)),
            step));
    }

    private static void AdamUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vMax, AdamStep step)
    {
        var decoupled = step.DecoupledDecay != 0f;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var scale = Vector256.Create(step.GradientScale);
            var decay = Vector256.Create(step.WeightDecay);
            var decoupledDecay = Vector256.Create(step.DecoupledDecay);
            var oneMinusBeta1 = Vector256.Create(step.OneMinusBeta1);
            var oneMinusBeta2 = Vector256.Create(step.OneMinusBeta2);
            var alpha = Vector256.Create(step.Alpha);
            var epsilon = Vector256.Create(step.Epsilon);
            for (; i <= w.Length - 8; i += 8)
            {
                var wi = Vector256.Create(w.Slice(i, 8));
                var gi = (scale * Vector256.Create(g.Slice(i, 8))) + (decay * wi);
                if (decoupled)
                {
                    wi -= wi * decoupledDecay;
                }

                var mi = Vector256.Create(m.Slice(i, 8));
                mi += (gi - mi) * oneMinusBeta1;
                var vi = Vector256.Create(v.Slice(i, 8));
                vi += ((gi * gi) - vi) * oneMinusBeta2;
                var second = vi;
                if (step.Amsgrad)
                {
                    second = Vector256.Max(Vector256.Create(vMax.Slice(i, 8)), vi);
                    second.CopyTo(vMax.Slice(i, 8));
                }

                mi.CopyTo(m.Slice(i, 8));
                vi.CopyTo(v.Slice(i, 8));
                (wi - ((mi * alpha) / (Vector256.Sqrt(second) + epsilon))).CopyTo(w.Slice(i, 8));
            }
        }

        for (; i < w.Length; i++)
        {
            var wi = w[i];
            var gi = (step.GradientScale * g[i]) + (step.WeightDecay * wi);
            if (decoupled)
            {
                wi -= wi * step.DecoupledDecay;
            }

            var mi = m[i] + ((gi - m[i]) * step.OneMinusBeta1);
            var vi = v[i] + (((gi * gi) - v[i]) * step.OneMinusBeta2);
            var second = vi;
            if (step.Amsgrad)
            {
                second = MathF.Max(vMax[i], vi);
                vMax[i] = second;
            }

            m[i] = mi;
            v[i] = vi;
            w[i] = wi - ((mi * step.Alpha) / (MathF.Sqrt(second) + step.Epsilon));
        }
    }

    private static void RmsPropUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> s, Span<float> p, Span<float> mg, RmsPropStep step)
    {
        var withMomentum = step.Momentum > 0f;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var scale = Vector256.Create(step.GradientScale);
            var decay = Vector256.Create(step.WeightDecay);
            var rho = Vector256.Create(step.Rho);
            var oneMinusRho = Vector256.Create(step.OneMinusRho);
            var lr = Vector256.Create(step.LearningRate);
            var momentum = Vector256.Create(step.Momentum);
            var epsilon = Vector256.Create(step.Epsilon);
            for (; i <= w.Length - 8; i += 8)
            {
                var wi = Vector256.Create(w.Slice(i, 8));
                var gi = (scale * Vector256.Create(g.Slice(i, 8))) + (decay * wi);
                var si = (rho * Vector256.Create(s.Slice(i, 8))) + (oneMinusRho * (gi * gi));
                si.CopyTo(s.Slice(i, 8));
                var denominator = si;
                if (step.Centered)
                {
                    var mgi = (rho * Vector256.Create(mg.Slice(i, 8))) + (oneMinusRho * gi);
                    mgi.CopyTo(mg.Slice(i, 8));
                    denominator -= mgi * mgi;
                }

                var increment = (lr * gi) / Vector256.Sqrt(denominator + epsilon);
                if (withMomentum)
                {
                    increment = (momentum * Vector256.Create(p.Slice(i, 8))) + increment;
                    increment.CopyTo(p.Slice(i, 8));
                }

                (wi - increment).CopyTo(w.Slice(i, 8));
            }
        }

        for (; i < w.Length; i++)
        {
            var wi = w[i];
            var gi = (step.GradientScale * g[i]) + (step.WeightDecay * wi);
            var si = (step.Rho * s[i]) + (step.OneMinusRho * (gi * gi));
            s[i] = si;
            var denominator = si;
            if (step.Centered)
            {
                var mgi = (step.Rho * mg[i]) + (step.OneMinusRho * gi);
                mg[i] = mgi;
                denominator -= mgi * mgi;
            }

            var increment = (step.LearningRate * gi) / MathF.Sqrt(denominator + step.Epsilon);
            if (withMomentum)
            {
                increment = (step.Momentum * p[i]) + increment;
                p[i] = increment;
            }

            w[i] = wi - increment;
        }
    }

    private static void AdagradUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> a, AdagradStep step)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var scale = Vector256.Create(step.GradientScale);
            var decay = Vector256.Create(step.WeightDecay);
            var lr = Vector256.Create(step.LearningRate);
            var epsilon = Vector256.Create(step.Epsilon);
            for (; i <= w.Length - 8; i += 8)
            {
                var wi = Vector256.Create(w.Slice(i, 8));
                var gi = (scale * Vector256.Create(g.Slice(i, 8))) + (decay * wi);
                var ai = Vector256.Create(a.Slice(i, 8)) + (gi * gi);
                ai.CopyTo(a.Slice(i, 8));
                (wi - ((lr * gi) / Vector256.Sqrt(ai + epsilon))).CopyTo(w.Slice(i, 8));
            }
        }

        for (; i < w.Length; i++)
        {
            var wi = w[i];
            var gi = (step.GradientScale * g[i]) + (step.WeightDecay * wi);
            var ai = a[i] + (gi * gi);
            a[i] = ai;
            w[i] = wi - ((step.LearningRate * gi) / MathF.Sqrt(ai + step.Epsilon));
        }
    }
}
