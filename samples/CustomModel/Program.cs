// The course's custom layer and model (MyDense, MyModel) trained in the user's own program with
// the tape and SGD, next to the built-in Dense layer. Synthetic data, so it runs offline.
// Run: dotnet run -c Release --project samples/CustomModel
using DistTrain.Kernels.Tensors;
using DistTrain.Kernels.Tensors.Layers;
using static DistTrain.Kernels.Tensors.Tensor;

Tensor.Random.SetSeed(7);
var prototypes = Tensor.Random.Uniform([10, 784], seed: 1000);
var labels = Tensor.Random.Uniform([2000], 0, 10, DType.Int32, seed: 1);
var images = Gather(prototypes, labels) + Tensor.Random.Normal([2000, 784], 0, 0.3, seed: 2);

var model = new MyModel();
var optimizer = new Sgd(0.05, momentum: 0.9);
for (int epoch = 0; epoch < 3; epoch++)
{
    Tensor loss = 0f;
    for (int start = 0; start < 2000; start += 100)
    {
        using var tape = new GradientTape();
        var logits = model.Invoke(images[start..(start + 100)], training: true);
        loss = Losses.SoftmaxCrossEntropy(OneHot(labels[start..(start + 100)], 10), logits);
        optimizer.ApplyGradients(tape.Gradient(loss, model.TrainableVariables), model.TrainableVariables);
    }

    var accuracy = ReduceMean(Cast(Equal(ArgMax(model.Invoke(images), 1), Cast(labels, DType.Int64)), DType.Float32));
    Console.WriteLine($"epoch {epoch}: last loss {loss.ToScalar<float>():F4}, accuracy {accuracy.ToScalar<float>():P1}");
}

Console.WriteLine(model.Summary());

/// <summary>The course's MyDense: <c>x @ w + b</c> with weights from AddWeight.</summary>
internal sealed class MyDense : Layer
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

/// <summary>The course's MyModel: two custom layers and a built-in Dense.</summary>
internal sealed class MyModel : Model
{
    private readonly MyDense _fc1 = new(784, 256);
    private readonly MyDense _fc2 = new(256, 64);
    private readonly Dense _fc3 = new(10);

    public override Tensor Call(Tensor input, bool training = false)
    {
        var x = Relu(_fc1.Invoke(input));
        x = Relu(_fc2.Invoke(x));
        return _fc3.Invoke(x);
    }
}
