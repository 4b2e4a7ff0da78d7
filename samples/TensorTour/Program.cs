// The course's tensor basics with DistTrain.Kernels.Tensors: creation, printing, broadcasting,
// slicing, reductions, and Himmelblau's function minimised with a GradientTape.
// Run: dotnet run -c Release --project samples/TensorTour
using DistTrain.Kernels.Tensors;
using static DistTrain.Kernels.Tensors.Tensor;

var a = From(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
Console.WriteLine(a);
Console.WriteLine(a + From(10f, 20f, 30f));               // broadcasting (2, 3) + (3,)
Console.WriteLine(a[.., TensorIndex.Slice(null, null, -1)]); // reversed columns
Console.WriteLine(ReduceSum(a, 0));
Console.WriteLine(MatMul(a, Transpose(a)));
Console.WriteLine($"norm(ones([4,28,28,3])) = {Norm(Ones([4, 28, 28, 3])).ToScalar<float>()}");
var (values, indices) = TopK(From(2f, 9f, 4f, 7f), 2);
Console.WriteLine($"top-2: {values.Format()} at {indices.Format()}");
try
{
    _ = Ones([2, 3]) + Ones([4]);
}
catch (ArgumentException e)
{
    Console.WriteLine($"as expected: {e.Message}");
}

// Himmelblau: f(x, y) = (x² + y − 11)² + (x + y² − 7)², four minima.
static Tensor Himmelblau(Tensor p) => Square(Square(p[0]) + p[1] - 11f) + Square(p[0] + Square(p[1]) - 7f);

foreach (var start in new[] { (4f, 0f), (1f, 0f), (-4f, 0f), (-2f, 2f) })
{
    var p = From(start.Item1, start.Item2);
    for (int step = 0; step < 500; step++)
    {
        using var tape = new GradientTape();
        tape.Watch(p);
        p -= 0.01f * tape.Gradient(Himmelblau(p), p)!;
    }

    Console.WriteLine($"from {start}: minimum at {p.Format()}, f = {Himmelblau(p).ToScalar<float>():G3}");
}
