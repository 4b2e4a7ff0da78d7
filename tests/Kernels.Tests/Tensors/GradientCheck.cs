using DistTrain.Kernels.Tensors;

namespace DistTrain.Kernels.Tests.Tensors;

/// <summary>Compares tape gradients with central finite differences, in float64.</summary>
internal static class GradientCheck
{
    /// <summary>Random float64 values in [low, high), seeded.</summary>
    public static Tensor Random(TensorShape shape, ulong seed, double low = -1, double high = 1) =>
        Tensor.Random.Uniform(shape, low, high, DType.Float64, seed);

    /// <summary>
    /// Checks d(Σ w·f(x…))/dxᵢ for random weights w (so every output gradient differs) against
    /// central differences with step 1e-6.
    /// </summary>
    public static void Check(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var probe = f(inputs);
        var weights = Random(probe.Shape, 99, 0.5, 1.5);
        Tensor Objective(Tensor[] xs) => Tensor.ReduceSum(f(xs) * weights);

        Tensor?[] analytic;
        using (var tape = new GradientTape())
        {
            tape.Watch(inputs);
            var y = Objective(inputs);
            analytic = tape.Gradient(y, inputs);
        }

        const double h = 1e-6;
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.NotNull(analytic[i]);
            Assert.Equal(inputs[i].Shape, analytic[i]!.Shape);
            var a = analytic[i]!.ToArray<double>();
            var x = inputs[i].ToArray<double>();
            for (int e = 0; e < x.Length; e++)
            {
                double Eval(double delta)
                {
                    var copy = (double[])x.Clone();
                    copy[e] += delta;
                    var xs = (Tensor[])inputs.Clone();
                    xs[i] = Tensor.From<double>(copy, inputs[i].Shape);
                    return Objective(xs).ToScalar<double>();
                }

                double numeric = (Eval(h) - Eval(-h)) / (2 * h);
                double tolerance = 1e-5 * Math.Max(1, Math.Abs(numeric));
                Assert.True(Math.Abs(numeric - a[e]) <= tolerance, $"input {i} element {e}: tape {a[e]}, finite difference {numeric}");
            }
        }
    }
}
