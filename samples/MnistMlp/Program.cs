// The course's MNIST MLP (784-512-256-10 ReLU, dropout 0.2, softmax) trained from a C# program
// with the DistTrain library, the way a Keras script does it. With no arguments it uses the
// settings of `disttrain train --preset mnist-mlp` (and gets the same test accuracy):
//
//   dotnet run -c Release --project samples/MnistMlp
//   dotnet run -c Release --project samples/MnistMlp -- --epochs 1 --train-split "train[:25%]"
//   dotnet run -c Release --project samples/MnistMlp -- --cluster 10.0.0.5:30000
using System.Globalization;
using DistTrain;
using DistTrain.Callbacks;
using DistTrain.Kernels.Backends;

var epochs = 10;
var trainSplit = "train";
string? cluster = null;
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--train-split": trainSplit = value; i++; break;
        case "--cluster": cluster = value; i++; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}; use --epochs N, --train-split SPLIT, --cluster HOST:PORT"); return 2;
    }
}

var model = new Sequential(784)
    .Dense(512, ActivationKind.Relu).Dropout(0.2f)
    .Dense(256, ActivationKind.Relu).Dropout(0.2f)
    .Dense(10, ActivationKind.Softmax); // fused into the cross-entropy, as in Keras
model.Compile(
    new Sgd(LearningRate: 0.05f, Momentum: 0.9f) { Schedule = Schedules.Cosine() }, // to 0 over the run
    "categorical_crossentropy",
    "accuracy");

var history = await model.FitAsync(
    DataSource.Mnist(trainSplit),
    epochs: epochs,
    batchSize: 32,
    callbacks: [ProgressCallback.ToWriter(Console.Out)],
    options: new FitOptions { Cluster = cluster, Log = Console.Error.WriteLine });

var test = model.Evaluate(DataSource.Mnist("test"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"run {history.RunId}: {history.Epochs.Count} epochs, {history.Summary.Steps} steps, {history.Summary.Seconds:0.0} s"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"test loss {test.Loss:0.0000}  test accuracy {test.Accuracy * 100:0.00}% ({test.Samples} digits)"));

var first = model.Classes(model.Predict(DataSource.Mnist("test[:0.5%]")));
Console.WriteLine($"predicted classes of the first {first.Length} test digits: {string.Join(' ', first)}");
return 0;
