Console.Error.WriteLine("usage: DistTrain.Bench <gemm|mlp>");
return 2;
