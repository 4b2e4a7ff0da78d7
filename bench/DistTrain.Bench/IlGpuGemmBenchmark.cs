using System.Diagnostics;
using System.Globalization;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.IlGpu;

namespace DistTrain.Bench;

/// <summary>
/// <c>gemm-gpu</c>: GFLOP/s of the ILGPU backend's own tiled GEMM kernel against cuBLAS (the
/// same backend with <see cref="IlGpuBackendOptions.DeterministicGemm"/> off) on the same
/// device, in the same run. Options: <c>--device cuda|opencl|ilgpucpu</c> (default cuda),
/// <c>--reps N</c>, <c>--shapes MxKxN[:nn|nt|tn|tt],…</c>. Without cuBLAS (OpenCL, the CPU
/// emulator, or no library) the own kernel is measured alone.
/// </summary>
internal static class IlGpuGemmBenchmark
{
    private static readonly (int M, int K, int N, bool TransposeA, bool TransposeB)[] DefaultShapes =
    [
        (4096, 4096, 4096, false, false),
        (1024, 1024, 1024, false, false),
        (200, 784, 512, false, false),
        (784, 200, 512, true, false),
        (200, 512, 784, false, true),
    ];

    public static int Run(string[] args)
    {
        var kind = Enum.Parse<BackendKind>(Option(args, "--device") ?? "cuda", ignoreCase: true);
        var reps = int.Parse(Option(args, "--reps") ?? "5", CultureInfo.InvariantCulture);
        var shapes = Option(args, "--shapes")?.Split(',').Select(ParseShape).ToArray() ?? DefaultShapes;
        IlGpuBackend own;
        try
        {
            own = (IlGpuBackend)BackendFactory.Create(kind);
        }
        catch (Exception exception) when (exception is InvalidOperationException or InvalidCastException)
        {
            Console.Error.WriteLine($"gemm-gpu needs an ILGPU device: {exception.Message}");
            return 3;
        }

        using (own)
        {
            using var blas = new IlGpuBackend(own.Accelerator, new IlGpuBackendOptions { DeterministicGemm = false });
            var hasPeer = blas.GemmImplementation.StartsWith("cuBLAS", StringComparison.Ordinal);
            Console.Error.WriteLine($"device={own.Accelerator.Name} own={own.GemmImplementation} peer={blas.GemmImplementation}");
            foreach (var (m, k, n, transposeA, transposeB) in shapes)
            {
                var random = new Random(1);
                var a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
                var b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
                using var aBuffer = own.Allocate(a.Length);
                using var bBuffer = own.Allocate(b.Length);
                using var cOwn = own.Allocate(m * n);
                using var cPeer = own.Allocate(m * n);
                aBuffer.Upload(a);
                bBuffer.Upload(b);
                var flops = 2.0 * m * n * k;
                var ownGflops = Best(own, reps, flops, () => own.Gemm(transposeA, transposeB, m, n, k, 1f, aBuffer, bBuffer, 0f, cOwn));
                var line = string.Create(CultureInfo.InvariantCulture, $"case=gemm-gpu shape={m}x{k}x{n} op={(transposeA ? 't' : 'n')}{(transposeB ? 't' : 'n')} device={own.Name} gflops={ownGflops:G4}");
                if (!hasPeer)
                {
                    Console.WriteLine($"{line} peer=none");
                    continue;
                }

                var peerGflops = Best(own, reps, flops, () => blas.Gemm(transposeA, transposeB, m, n, k, 1f, aBuffer, bBuffer, 0f, cPeer));
                var difference = MaxRelativeDifference(cOwn.ToArray(), cPeer.ToArray());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{line} peer=cublas peer_gflops={peerGflops:G4} ratio={ownGflops / peerGflops:F2} max_rel_diff={difference:E1}"));
            }
        }

        return 0;
    }

    /// <summary>Best GFLOP/s over <paramref name="reps"/> batches of about 20 ms each, waiting for the device after each batch.</summary>
    private static double Best(IlGpuBackend backend, int reps, double flops, Action gemm)
    {
        var watch = Stopwatch.StartNew();
        var calls = 0;
        while (watch.Elapsed.TotalMilliseconds < 50 || calls < 2)
        {
            gemm();
            backend.Accelerator.Synchronize();
            calls++;
        }

        var perBatch = Math.Max(1, (int)(calls * 20 / watch.Elapsed.TotalMilliseconds));
        var best = 0.0;
        for (var rep = 0; rep < reps; rep++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var call = 0; call < perBatch; call++)
            {
                gemm();
            }

            backend.Accelerator.Synchronize();
            best = Math.Max(best, flops * perBatch / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
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

    private static (int, int, int, bool, bool) ParseShape(string text)
    {
        var parts = text.Split(':');
        var dims = parts[0].Split('x').Select(int.Parse).ToArray();
        var op = parts.Length > 1 ? parts[1] : "nn";
        if (dims.Length != 3 || op.Length != 2)
        {
            throw new FormatException($"Shape '{text}' is not MxKxN[:nn|nt|tn|tt].");
        }

        return (dims[0], dims[1], dims[2], op[0] == 't', op[1] == 't');
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
