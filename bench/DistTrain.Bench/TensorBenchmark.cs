using System.Diagnostics;
using System.Globalization;
using DistTrain.Kernels.Tensors;

namespace DistTrain.Bench;

/// <summary>
/// <c>tensor</c>: the eager Tensor API against a plain C# loop doing the same work, in the same
/// run, best time of interleaved rounds. Options: <c>--seconds S</c> per case (default 2).
/// </summary>
internal static class TensorBenchmark
{
    public static int Run(string[] args)
    {
        int i = Array.IndexOf(args, "--seconds");
        double seconds = i >= 0 ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : 2;

        var big = Tensor.Random.Normal([1000, 1000], seed: 1);
        var row = Tensor.Random.Normal([1000], seed: 2);
        float[] bv = big.ToArray<float>(), rv = row.ToArray<float>();
        Measure("add-broadcast", "[1000,1000]+[1000]", seconds, () => _ = big + row, () => NaiveAddRow(bv, rv, 1000, 1000));

        var a = Tensor.Random.Normal([512, 512], seed: 3);
        var b = Tensor.Random.Normal([512, 512], seed: 4);
        float[] av = a.ToArray<float>(), bw = b.ToArray<float>();
        Measure("matmul", "512x512x512", seconds, () => _ = Tensor.MatMul(a, b), () => NaiveMatMul(av, bw, 1, 512, 512, 512));

        var ba = Tensor.Random.Normal([64, 128, 128], seed: 5);
        var bb = Tensor.Random.Normal([64, 128, 128], seed: 6);
        float[] bav = ba.ToArray<float>(), bbv = bb.ToArray<float>();
        Measure("matmul-batched", "64x(128x128x128)", seconds, () => _ = Tensor.MatMul(ba, bb), () => NaiveMatMul(bav, bbv, 64, 128, 128, 128));

        Measure("reduce-sum-axis0", "[1000,1000]->[1000]", seconds, () => _ = Tensor.ReduceSum(big, 0), () => NaiveColumnSums(bv, 1000, 1000));
        Measure("reduce-sum-axis1", "[1000,1000]->[1000]", seconds, () => _ = Tensor.ReduceSum(big, 1), () => NaiveRowSums(bv, 1000, 1000));

        var million = Tensor.Random.Normal([1_000_000], seed: 7);
        var mv = million.ToArray<float>();
        Measure("topk", "1M,k=10 (peer: full sort)", seconds, () => _ = Tensor.TopK(million, 10), () => NaiveTopK(mv, 10));
        return 0;
    }

    private static void Measure(string name, string shape, double seconds, Action tensor, Action naive)
    {
        var contenders = new[] { tensor, naive };
        foreach (var c in contenders)
        {
            c();
        }

        var best = new[] { double.MaxValue, double.MaxValue };
        var total = Stopwatch.StartNew();
        for (int round = 0; round < 3 || total.Elapsed.TotalSeconds < seconds; round++)
        {
            for (int i = 0; i < 2; i++)
            {
                var watch = Stopwatch.StartNew();
                contenders[i]();
                best[i] = Math.Min(best[i], watch.Elapsed.TotalMilliseconds);
            }
        }

        Console.WriteLine(FormattableString.Invariant($"case=tensor op={name} shape={shape} tensor_ms={best[0]:F3} naive_ms={best[1]:F3} speedup={best[1] / best[0]:F1}"));
    }

    private static float[] NaiveAddRow(float[] x, float[] r, int rows, int cols)
    {
        var d = new float[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                d[(i * cols) + j] = x[(i * cols) + j] + r[j];
            }
        }

        return d;
    }

    private static float[] NaiveMatMul(float[] a, float[] b, int batch, int m, int k, int n)
    {
        var c = new float[batch * m * n];
        for (int t = 0; t < batch; t++)
        {
            for (int i = 0; i < m; i++)
            {
                for (int p = 0; p < k; p++)
                {
                    float s = a[(t * m * k) + (i * k) + p];
                    for (int j = 0; j < n; j++)
                    {
                        c[(t * m * n) + (i * n) + j] += s * b[(t * k * n) + (p * n) + j];
                    }
                }
            }
        }

        return c;
    }

    private static float[] NaiveColumnSums(float[] x, int rows, int cols)
    {
        var d = new float[cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                d[j] += x[(i * cols) + j];
            }
        }

        return d;
    }

    private static float[] NaiveRowSums(float[] x, int rows, int cols)
    {
        var d = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            float s = 0;
            for (int j = 0; j < cols; j++)
            {
                s += x[(i * cols) + j];
            }

            d[i] = s;
        }

        return d;
    }

    private static int[] NaiveTopK(float[] x, int k)
    {
        var order = Enumerable.Range(0, x.Length).ToArray();
        var keys = x.Select(v => -v).ToArray();
        Array.Sort(keys, order);
        return order[..k];
    }
}
