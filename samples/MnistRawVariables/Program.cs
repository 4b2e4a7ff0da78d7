// The course's raw-variable MNIST network (its section 9): w1..w3 and b1..b3 as Variables, the
// forward pass written out, tape gradients, AssignSub. Uses MNIST when it can be loaded
// (cached or downloaded), otherwise synthetic digits so that it runs offline.
// Run: dotnet run -c Release --project samples/MnistRawVariables [-- --synthetic] [--epochs N]
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Tensors;
using static DistTrain.Kernels.Tensors.Tensor;

int epochs = args.SkipWhile(a => a != "--epochs").Skip(1).Select(int.Parse).FirstOrDefault(1);
var (images, labels) = args.Contains("--synthetic") ? Synthetic() : LoadMnistOrSynthetic();
Console.WriteLine($"data: {images.Shape} images, {labels.Shape} labels");

var w1 = new Variable(Tensor.Random.TruncatedNormal([784, 256], stddev: 0.1, seed: 1));
var b1 = new Variable(Zeros([256]));
var w2 = new Variable(Tensor.Random.TruncatedNormal([256, 128], stddev: 0.1, seed: 2));
var b2 = new Variable(Zeros([128]));
var w3 = new Variable(Tensor.Random.TruncatedNormal([128, 10], stddev: 0.1, seed: 3));
var b3 = new Variable(Zeros([10]));
const float lr = 1e-3f;
const int batch = 128;

for (int epoch = 0; epoch < epochs; epoch++)
{
    for (int start = 0, step = 0; start + batch <= images.Shape[0]; start += batch, step++)
    {
        var x = images[start..(start + batch)];
        var y = OneHot(labels[start..(start + batch)], 10);
        using var tape = new GradientTape();
        var h1 = Relu(MatMul(x, w1) + b1);   // (b, 784) @ (784, 256) + (256)
        var h2 = Relu(MatMul(h1, w2) + b2);  // (b, 256) @ (256, 128) + (128)
        var output = MatMul(h2, w3) + b3;    // (b, 128) @ (128, 10) + (10)
        var loss = ReduceMean(Square(y - output));
        var grads = tape.Gradient(loss, [w1, b1, w2, b2, w3, b3]);
        w1.AssignSub(lr * grads[0]!);
        b1.AssignSub(lr * grads[1]!);
        w2.AssignSub(lr * grads[2]!);
        b2.AssignSub(lr * grads[3]!);
        w3.AssignSub(lr * grads[4]!);
        b3.AssignSub(lr * grads[5]!);
        if (step % 20 == 0 || start + (2 * batch) > images.Shape[0])
        {
            Console.WriteLine($"epoch {epoch} step {step} loss {loss.ToScalar<float>():F4}");
        }
    }
}

static (Tensor Images, Tensor Labels) LoadMnistOrSynthetic()
{
    try
    {
        var train = DataSets.LoadMnist().Train;
        var indices = Enumerable.Range(0, train.Count).ToArray();
        var inputs = new float[train.Count * train.InputSize];
        var targets = new float[train.Count * train.TargetSize];
        train.Read(indices, inputs, targets);
        var oneHot = From<float>(targets, new TensorShape(train.Count, train.TargetSize));
        return (From<float>(inputs, new TensorShape(train.Count, train.InputSize)), Cast(ArgMax(oneHot, 1), DType.Int32));
    }
    catch (Exception e) when (e is DataDownloadException or IOException or HttpRequestException)
    {
        Console.WriteLine($"MNIST unavailable ({e.Message}); using synthetic digits.");
        return Synthetic();
    }
}

static (Tensor Images, Tensor Labels) Synthetic()
{
    var prototypes = Tensor.Random.Uniform([10, 784], seed: 1000);
    var labels = Tensor.Random.Uniform([6000], 0, 10, DType.Int32, seed: 1);
    return (Gather(prototypes, labels) + Tensor.Random.Normal([6000, 784], 0, 0.3, seed: 2), labels);
}
