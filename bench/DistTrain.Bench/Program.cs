// Benchmark dispatcher: `dotnet run -c Release --project bench/DistTrain.Bench -- <case> [options]`.
// Each case prints one line per measurement as space-separated key=value pairs.
using DistTrain.Bench;

var cases = new SortedDictionary<string, Func<string[], int>>(StringComparer.OrdinalIgnoreCase)
{
    ["gemm"] = GemmBenchmark.Run,
    ["gemm-gpu"] = IlGpuGemmBenchmark.Run,
    ["mlp"] = MlpBenchmark.Run,
    ["conv"] = ConvBenchmark.Run,
    ["mnist-cnn"] = MnistCnnBenchmark.Run,
    ["distributed"] = DistributedBenchmark.Run,
    ["scaling"] = ScalingBenchmark.Run,
    ["scaling-local"] = ScalingLocal.Run,
    ["wire"] = WireBenchmark.Run,
    ["tensor"] = TensorBenchmark.Run,
    ["optim"] = OptimizerBenchmark.Run,
    ["soak"] = SoakTest.Run,
};

if (args.Length == 0 || !cases.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: DistTrain.Bench <{string.Join('|', cases.Keys)}> [options]");
    return 2;
}

return run(args[1..]);
