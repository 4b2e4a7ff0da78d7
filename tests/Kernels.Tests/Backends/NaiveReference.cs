using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tests.Backends;

/// <summary>
/// Scalar reference implementations in double precision, written from the formulas in the
/// <see cref="IComputeBackend"/> docs and independent of any backend.
/// </summary>
internal static class NaiveReference
{
    /// <summary>C = alpha·op(A)·op(B) + beta·C, and per element the magnitude |alpha|Σ|a·b| + |beta·c| that bounds rounding.</summary>
    public static (double[] Value, double[] Magnitude) Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c)
    {
        var value = new double[m * n];
        var magnitude = new double[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (var p = 0; p < k; p++)
                {
                    double av = transposeA ? a[(p * m) + i] : a[(i * k) + p];
                    double bv = transposeB ? b[(j * k) + p] : b[(p * n) + j];
                    sum += av * bv;
                    abs += Math.Abs(av * bv);
                }

                var old = beta == 0f ? 0.0 : (double)beta * c[(i * n) + j];
                value[(i * n) + j] = (alpha * sum) + old;
                magnitude[(i * n) + j] = (Math.Abs(alpha) * abs) + Math.Abs(old);
            }
        }

        return (value, magnitude);
    }

    public static double Activation(ActivationKind kind, double x) => kind switch
    {
        ActivationKind.Linear => x,
        ActivationKind.Relu => Math.Max(x, 0.0),
        ActivationKind.Sigmoid => 1.0 / (1.0 + Math.Exp(-x)),
        ActivationKind.Tanh => Math.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an element-wise activation."),
    };

    /// <summary>f'(x) written as a function of y = f(x).</summary>
    public static double ActivationDerivativeFromOutput(ActivationKind kind, double y) => kind switch
    {
        ActivationKind.Linear => 1.0,
        ActivationKind.Relu => y > 0 ? 1.0 : 0.0,
        ActivationKind.Sigmoid => y * (1.0 - y),
        ActivationKind.Tanh => 1.0 - (y * y),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an element-wise activation."),
    };

    public static double[] Softmax(ReadOnlySpan<float> row)
    {
        var max = double.NegativeInfinity;
        foreach (var v in row)
        {
            max = Math.Max(max, v);
        }

        var result = new double[row.Length];
        var sum = 0.0;
        for (var j = 0; j < row.Length; j++)
        {
            result[j] = Math.Exp(row[j] - max);
            sum += result[j];
        }

        for (var j = 0; j < row.Length; j++)
        {
            result[j] /= sum;
        }

        return result;
    }

    /// <summary>Row loss −Σ t·log softmax(z), computed as Σ t·(logΣe^(z−max) − (z − max)).</summary>
    public static double SoftmaxCrossEntropyRow(ReadOnlySpan<float> z, ReadOnlySpan<float> t, out double[] probabilities, out double[] gradient)
    {
        var max = double.NegativeInfinity;
        foreach (var v in z)
        {
            max = Math.Max(max, v);
        }

        var sum = 0.0;
        foreach (var v in z)
        {
            sum += Math.Exp(v - max);
        }

        var logSum = Math.Log(sum);
        double loss = 0, targetSum = 0;
        probabilities = new double[z.Length];
        gradient = new double[z.Length];
        for (var j = 0; j < z.Length; j++)
        {
            probabilities[j] = Math.Exp(z[j] - max) / sum;
            targetSum += t[j];
            if (t[j] != 0)
            {
                loss += t[j] * (logSum - (z[j] - max));
            }
        }

        for (var j = 0; j < z.Length; j++)
        {
            gradient[j] = (probabilities[j] * targetSum) - t[j];
        }

        return loss;
    }

    /// <summary>Row loss mean (p − t)², gradient 2(p − t)/cols.</summary>
    public static double MeanSquaredErrorRow(ReadOnlySpan<float> p, ReadOnlySpan<float> t, out double[] gradient)
    {
        var loss = 0.0;
        gradient = new double[p.Length];
        for (var j = 0; j < p.Length; j++)
        {
            double d = p[j] - (double)t[j];
            loss += d * d;
            gradient[j] = 2 * d / p.Length;
        }

        return loss / p.Length;
    }

    /// <summary>Row loss mean of −t·log σ(z) − (1 − t)·log(1 − σ(z)), in the stable form; gradient (σ(z) − t)/cols.</summary>
    public static double BinaryCrossEntropyRow(ReadOnlySpan<float> z, ReadOnlySpan<float> t, out double[] gradient)
    {
        var loss = 0.0;
        gradient = new double[z.Length];
        for (var j = 0; j < z.Length; j++)
        {
            double x = z[j];
            loss += Math.Max(x, 0) - (x * t[j]) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            gradient[j] = ((1.0 / (1.0 + Math.Exp(-x))) - t[j]) / z.Length;
        }

        return loss / z.Length;
    }

    /// <summary>Index of the largest value, first one on ties.</summary>
    public static int ArgMax(ReadOnlySpan<float> x)
    {
        var best = 0;
        for (var j = 1; j < x.Length; j++)
        {
            if (x[j] > x[best])
            {
                best = j;
            }
        }

        return best;
    }

    /// <summary>Whether class <paramref name="target"/> is among the k first after a stable sort by descending score.</summary>
    public static bool InTopK(ReadOnlySpan<float> predictions, int target, int k)
    {
        var order = Enumerable.Range(0, predictions.Length).ToArray();
        var scores = predictions.ToArray();
        var ranked = order.OrderByDescending(j => scores[j]).ThenBy(j => j).ToArray();
        return Array.IndexOf(ranked, target) < k;
    }

    /// <summary>PyTorch momentum SGD on one element; returns (w, v).</summary>
    public static (double Weight, double Velocity) MomentumSgd(double w, double g, double v, SgdStep step)
    {
        var grad = (step.GradientScale * g) + (step.WeightDecay * w);
        var velocity = (step.Momentum * v) + grad;
        var update = step.Nesterov ? grad + (step.Momentum * velocity) : velocity;
        return (w - (step.LearningRate * update), velocity);
    }

    /// <summary>Keras Adam/AdamW on one element, in double; returns (w, m, v, v̂).</summary>
    public static (double Weight, double M, double V, double VMax) Adam(double w, double g, double m, double v, double vMax, AdamStep step)
    {
        var grad = (step.GradientScale * g) + (step.WeightDecay * w);
        w -= w * step.DecoupledDecay;
        m += (grad - m) * step.OneMinusBeta1;
        v += ((grad * grad) - v) * step.OneMinusBeta2;
        vMax = Math.Max(vMax, v);
        var second = step.Amsgrad ? vMax : v;
        return (w - (m * step.Alpha / (Math.Sqrt(second) + step.Epsilon)), m, v, vMax);
    }

    /// <summary>Keras RMSprop on one element, in double; returns (w, mean square, momentum, mean gradient).</summary>
    public static (double Weight, double MeanSquare, double Momentum, double MeanGradient) RmsProp(double w, double g, double s, double p, double mg, RmsPropStep step)
    {
        var grad = (step.GradientScale * g) + (step.WeightDecay * w);
        s = (step.Rho * s) + ((1 - (double)step.Rho) * grad * grad);
        mg = (step.Rho * mg) + ((1 - (double)step.Rho) * grad);
        var denominator = step.Centered ? s - (mg * mg) : s;
        var increment = step.LearningRate * grad / Math.Sqrt(denominator + step.Epsilon);
        p = (step.Momentum * p) + increment;
        return (w - (step.Momentum > 0 ? p : increment), s, p, mg);
    }

    /// <summary>Keras Adagrad on one element, in double; returns (w, accumulator).</summary>
    public static (double Weight, double Accumulator) Adagrad(double w, double g, double a, AdagradStep step)
    {
        var grad = (step.GradientScale * g) + (step.WeightDecay * w);
        a += grad * grad;
        return (w - (step.LearningRate * grad / Math.Sqrt(a + step.Epsilon)), a);
    }
}
