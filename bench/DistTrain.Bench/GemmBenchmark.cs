using System.Diagnostics;
using System.Globalization;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;

namespace DistTrain.Bench;

/// <summary>
/// <c>gemm</c>: GFLOP/s of the CPU backend's SGEMM against OpenBLAS on the same shapes, in
/// the same run. Shapes are m×k×n: C (m, n) = op(A) (m, k) · op(B) (k, n).
/// Options: <c>--threads 1,2</c>, <c>--seconds S</c> per shape, <c>--shapes 1024x1024x1024:nn,…</c>,
/// <c>--threading workers,parallelfor</c>.
/// </summary>
internal static unsafe class GemmBenchmark
{
    /// <summary>1024³ and the 784-512-256-10 MLP's GEMMs at batch 200 (forward, weight gradient Aᵀ·B, input gradient A·Bᵀ).</summary>
    private static readonly Shape[] DefaultShapes =
    [
        new(1024, 1024, 1024, false, false, "square"),
        new(200, 784, 512, false, false, "mlp-forward-1"),
        new(200, 512, 256, false, false, "mlp-forward-2"),
        new(200, 256, 10, false, false, "mlp-forward-3"),
        new(784, 200, 512, true, false, "mlp-weight-grad-1"),
        new(512, 200, 256, true, false, "mlp-weight-grad-2"),
        new(200, 512, 784, false, true, "mlp-input-grad-2"),
        new(200, 256, 512, false, true, "mlp-input-grad-3"),
    ];

    public static int Run(string[] args)
    {
        var threadCounts = Option(args, "--threads")?.Split(',').Select(int.Parse).ToArray() ?? [Environment.ProcessorCount];
        var seconds = double.Parse(Option(args, "--seconds") ?? "2", CultureInfo.InvariantCulture);
        var shapes = Option(args, "--shapes")?.Split(',').Select(Shape.Parse).ToArray() ?? DefaultShapes;
        var threadings = Option(args, "--threading")?.Split(',').Select(t => Enum.Parse<GemmThreading>(t, ignoreCase: true)).ToArray() ?? [GemmThreading.Workers];
        var blas = OpenBlas.TryLoad();
        if (blas is null)
        {
            Console.Error.WriteLine("OpenBLAS not found (Debian: apt-get install libopenblas0-pthread); measuring without a peer.");
        }

        foreach (var threads in threadCounts)
        {
            blas?.SetThreads(threads);
            foreach (var threading in threadings)
            {
                using var backend = new CpuBackend(threads, threading);
                foreach (var shape in shapes)
                {
                    Measure(backend, blas, shape, threads, threading, seconds);
                }
            }
        }

        return 0;
    }

    private static void Measure(CpuBackend backend, OpenBlas? blas, Shape shape, int threads, GemmThreading threading, double seconds)
    {
        var (m, k, n) = (shape.M, shape.K, shape.N);
        var random = new Random(1);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        using var aBuffer = backend.Allocate(a.Length);
        using var bBuffer = backend.Allocate(b.Length);
        using var cBuffer = backend.Allocate(m * n);
        aBuffer.Upload(a);
        bBuffer.Upload(b);
        var c = new float[m * n];
        var flops = 2.0 * m * n * k;
        var line = $"case=gemm shape={m}x{k}x{n} op={shape.Op} name={shape.Name} threads={threads} threading={threading.ToString().ToLowerInvariant()}";
        fixed (float* pa = a, pb = b, pc = c)
        {
            var (ra, rb, rc) = ((nint)pa, (nint)pb, (nint)pc);
            var contenders = new List<Action> { () => backend.Gemm(shape.TransposeA, shape.TransposeB, m, n, k, 1f, aBuffer, bBuffer, 0f, cBuffer) };
            if (blas is not null)
            {
                contenders.Add(() => blas.Sgemm(shape.TransposeA, shape.TransposeB, m, n, k, 1f, (float*)ra, (float*)rb, 0f, (float*)rc));
            }

            var best = BestInterleaved(seconds, flops, contenders);
            if (blas is null)
            {
                Console.WriteLine($"{line} gflops={best[0]:F1} peer=none");
                return;
            }

            var maxDiff = MaxRelativeDifference(cBuffer.ToArray(), c);
            Console.WriteLine($"{line} gflops={best[0]:F1} peer=openblas peer_gflops={best[1]:F1} ratio={best[0] / best[1]:F2} max_rel_diff={maxDiff:E1}");
        }
    }

    /// <summary>
    /// Best GFLOP/s of each contender over rounds run for about <paramref name="seconds"/>;
    /// each round times every contender once, back to back, so that load from other processes
    /// hits both alike. Short timed batches (about 2 ms) let the best round find a quiet moment
    /// on a shared machine.
    /// </summary>
    private static double[] BestInterleaved(double seconds, double flops, IReadOnlyList<Action> contenders)
    {
        // Warm up (JIT tiers, thread start-up) and size each timed batch.
        var perBatch = new int[contenders.Count];
        for (var i = 0; i < contenders.Count; i++)
        {
            var watch = Stopwatch.StartNew();
            var calls = 0;
            while (watch.Elapsed.TotalMilliseconds < 100 || calls < 3)
            {
                contenders[i]();
                calls++;
            }

            perBatch[i] = Math.Max(1, (int)(calls * 2 / watch.Elapsed.TotalMilliseconds));
        }

        var best = new double[contenders.Count];
        var total = Stopwatch.StartNew();
        for (var round = 0; round < 5 || total.Elapsed.TotalSeconds < seconds; round++)
        {
            for (var i = 0; i < contenders.Count; i++)
            {
                var start = Stopwatch.GetTimestamp();
                for (var call = 0; call < perBatch[i]; call++)
                {
                    contenders[i]();
                }

                best[i] = Math.Max(best[i], flops * perBatch[i] / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
            }
        }

        return best;
    }

    private static double MaxRelativeDifference(float[] ours, float[] peer)
    {
        var scale = peer.Length == 0 ? 1.0 : Math.Max(1e-30, peer.Max(v => Math.Abs((double)v)));
        var worst = 0.0;
        for (var i = 0; i < ours.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(ours[i] - (double)peer[i]) / scale);
        }

        return worst;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    /// <summary>A GEMM shape m×k×n with its transpose case.</summary>
    private sealed record Shape(int M, int K, int N, bool TransposeA, bool TransposeB, string Name)
    {
        public string Op => $"{(TransposeA ? "t" : "n")}{(TransposeB ? "t" : "n")}";

        /// <summary>Parses <c>MxKxN[:nn|nt|tn|tt]</c>.</summary>
        public static Shape Parse(string text)
        {
            var parts = text.Split(':');
            var dims = parts[0].Split('x').Select(int.Parse).ToArray();
            if (dims.Length != 3)
            {
                throw new FormatException($"Shape '{text}' is not MxKxN[:op].");
            }

            var op = parts.Length > 1 ? parts[1] : "nn";
            return new Shape(dims[0], dims[1], dims[2], op[0] == 't', op[1] == 't', "custom");
        }
    }
}
