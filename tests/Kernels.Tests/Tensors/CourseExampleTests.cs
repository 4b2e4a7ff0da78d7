using DistTrain.Kernels.Tensors;
using DistTrain.Kernels.Tensors.Layers;
using static DistTrain.Kernels.Tensors.Tensor;

namespace DistTrain.Kernels.Tests.Tensors;

/// <summary>The course's tape examples: Himmelblau's function, the raw-variable MNIST step, a custom model.</summary>
public class CourseExampleTests
{
    private static readonly (double X, double Y)[] HimmelblauMinima = [(3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)];

    [Fact]
    public void HimmelblauGradientDescentFromTheCoursesStartsFindsAllFourMinima()
    {
        var found = new HashSet<int>();
        foreach (var start in new[] { (4f, 0f), (1f, 0f), (-4f, 0f), (-2f, 2f) })
        {
            var (x, y) = Himmelblau.Minimise(start.Item1, start.Item2, steps: 500, learningRate: 0.01f);
            int nearest = Enumerable.Range(0, 4).MinBy(i => Math.Abs(HimmelblauMinima[i].X - x) + Math.Abs(HimmelblauMinima[i].Y - y));
            Assert.True(Math.Abs(HimmelblauMinima[nearest].X - x) < 1e-3 && Math.Abs(HimmelblauMinima[nearest].Y - y) < 1e-3, $"start {start} ended at ({x}, {y})");
            found.Add(nearest);
        }

        Assert.Equal(4, found.Count);
    }

    [Fact]
    public void RawVariableMnistForwardPassLossFallsOverAnEpoch()
    {
        var (images, labels) = SyntheticDigits(2000, seed: 1);
        var w1 = new Variable(Tensor.Random.TruncatedNormal([784, 256], stddev: 0.1, seed: 1));
        var b1 = new Variable(Zeros([256]));
        var w2 = new Variable(Tensor.Random.TruncatedNormal([256, 128], stddev: 0.1, seed: 2));
        var b2 = new Variable(Zeros([128]));
        var w3 = new Variable(Tensor.Random.TruncatedNormal([128, 10], stddev: 0.1, seed: 3));
        var b3 = new Variable(Zeros([10]));
        var losses = new List<float>();
        const float lr = 0.01f;
        for (int start = 0; start < 2000; start += 100)
        {
            var x = images[start..(start + 100)];
            var y = OneHot(labels[start..(start + 100)], 10);
            using var tape = new GradientTape();
            var h1 = Relu(MatMul(x, w1) + b1);
            var h2 = Relu(MatMul(h1, w2) + b2);
            var output = MatMul(h2, w3) + b3;
            var loss = ReduceMean(Square(y - output));
            var grads = tape.Gradient(loss, [w1, b1, w2, b2, w3, b3]);
            w1.AssignSub(lr * grads[0]!);
            b1.AssignSub(lr * grads[1]!);
            w2.AssignSub(lr * grads[2]!);
            b2.AssignSub(lr * grads[3]!);
            w3.AssignSub(lr * grads[4]!);
            b3.AssignSub(lr * grads[5]!);
            losses.Add(loss.ToScalar<float>());
        }

        Assert.True(losses[^3..].Average() < 0.5 * losses[..3].Average(), $"loss went from {losses[0]} to {losses[^1]}");
    }

    [Fact]
    public void CustomLayersAndBuiltInDenseTrainWithTheTapeAndSgd()
    {
        Tensor.Random.SetSeed(7);
        var (images, labels) = SyntheticDigits(1000, seed: 2);
        var model = new MyModel();
        var optimizer = new Sgd(0.1, momentum: 0.9);
        float first = 0, last = 0;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            for (int start = 0; start < 1000; start += 100)
            {
                using var tape = new GradientTape();
                var logits = model.Invoke(images[start..(start + 100)], training: true);
                var loss = Losses.SoftmaxCrossEntropy(OneHot(labels[start..(start + 100)], 10), logits);
                optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
                last = loss.ToScalar<float>();
                first = first == 0 ? last : first;
            }
        }

        Assert.Equal(6, model.TrainableVariables.Count);
        Assert.Equal(new[] { 784, 64 }, model.TrainableVariables[0].Shape.ToArray());
        Assert.True(last < 0.3 * first, $"loss went from {first} to {last}");
        var accuracy = ReduceMean(Cast(Equal(ArgMax(model.Invoke(images), 1), Cast(labels, DType.Int64)), DType.Float32)).ToScalar<float>();
        Assert.True(accuracy > 0.9, $"accuracy {accuracy}");
    }

    /// <summary>Ten noisy prototypes in 784 dimensions: a stand-in for MNIST that needs no download.</summary>
    internal static (Tensor Images, Tensor Labels) SyntheticDigits(int count, ulong seed)
    {
        var prototypes = Tensor.Random.Uniform([10, 784], seed: 1000);
        var labels = Tensor.Random.Uniform([count], 0, 10, DType.Int32, seed);
        var noise = Tensor.Random.Normal([count, 784], 0, 0.3, seed: seed + 1);
        return (Gather(prototypes, labels) + noise, labels);
    }

    private sealed class MyDense : Layer
    {
        private readonly Variable _kernel;
        private readonly Variable _bias;

        public MyDense(int inputs, int outputs)
        {
            _kernel = AddWeight("w", [inputs, outputs]);
            _bias = AddWeight("b", [outputs], Initializers.Zeros());
        }

        public override Tensor Call(Tensor input, bool training = false) => MatMul(input, _kernel) + _bias;
    }

    private sealed class MyModel : Model
    {
        private readonly MyDense _fc1 = new(784, 64);
        private readonly MyDense _fc2 = new(64, 32);
        private readonly Dense _fc3 = new(10);

        public override Tensor Call(Tensor input, bool training = false)
        {
            var x = Relu(_fc1.Invoke(input));
            x = Relu(_fc2.Invoke(x));
            return _fc3.Invoke(x);
        }
    }
}

/// <summary>The course's Himmelblau example: <c>f(x, y) = (x² + y − 11)² + (x + y² − 7)²</c>.</summary>
internal static class Himmelblau
{
    public static Tensor F(Tensor p) => Square((Square(p[0]) + p[1] - 11f)) + Square(p[0] + Square(p[1]) - 7f);

    public static (float X, float Y) Minimise(float x0, float y0, int steps, float learningRate)
    {
        var p = From(x0, y0);
        for (int i = 0; i < steps; i++)
        {
            using var tape = new GradientTape();
            tape.Watch(p);
            var grad = tape.Gradient(F(p), p)!;
            p -= learningRate * grad;
        }

        return (p.GetValue<float>(0), p.GetValue<float>(1));
    }
}
