using DistTrain.Kernels.Backends.IlGpu;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace DistTrain.Kernels.Tests.Backends.IlGpu;

/// <summary>
/// The GEMM kernel with every group shape, on a CPU accelerator that allows GPU-sized groups
/// (16×16 threads, the shape GPUs use), so the GPU configuration's logic runs in CI too.
/// </summary>
public sealed class GemmGroupShapeTests : IDisposable
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;

    public GemmGroupShapeTests()
    {
        // 16 threads per warp × 16 warps: groups of up to 256 threads, emulated.
        _context = Context.Create(builder => builder.CPU(new CPUDevice(16, 16, 1)).EnableAlgorithms());
        _accelerator = _context.GetCPUDevice(0).CreateAccelerator(_context);
    }

    public void Dispose()
    {
        _accelerator.Dispose();
        _context.Dispose();
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void EveryGroupShapeGivesTheSameBitsAsTheReferenceOrder(bool transposeA, bool transposeB)
    {
        const int M = 37, N = 70, K = 35;
        var random = new Random(70);
        var a = Enumerable.Range(0, M * K).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var b = Enumerable.Range(0, K * N).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var c = Enumerable.Range(0, M * N).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

        // The order the kernel promises: one float accumulator over p = 0…k−1, then alpha and beta.
        var expected = new float[M * N];
        for (var i = 0; i < M; i++)
        {
            for (var j = 0; j < N; j++)
            {
                var sum = 0f;
                for (var p = 0; p < K; p++)
                {
                    var av = transposeA ? a[(p * M) + i] : a[(i * K) + p];
                    var bv = transposeB ? b[(j * K) + p] : b[(p * N) + j];
                    sum += av * bv;
                }

                expected[(i * N) + j] = (0.5f * sum) + (-2f * c[(i * N) + j]);
            }
        }

        foreach (var threads in new[] { 16, 8 })
        {
            using var backend = new IlGpuBackend(_accelerator, new IlGpuBackendOptions { GemmThreads = threads });
            using var aBuffer = backend.Allocate(a.Length);
            using var bBuffer = backend.Allocate(b.Length);
            using var cBuffer = backend.Allocate(c.Length);
            aBuffer.Upload(a);
            bBuffer.Upload(b);
            cBuffer.Upload(c);
            backend.Gemm(transposeA, transposeB, M, N, K, 0.5f, aBuffer, bBuffer, -2f, cBuffer);
            var actual = cBuffer.ToArray();
            for (var i = 0; i < actual.Length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                    $"{threads}x{threads} threads, element {i}: expected {expected[i]:R}, got {actual[i]:R}.");
            }
        }
    }

    [Fact]
    public void AGroupShapeTheDeviceCannotRunIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new IlGpuBackend(_accelerator, new IlGpuBackendOptions { GemmThreads = 3 }));
        Assert.Contains("GemmThreads = 3", ex.Message, StringComparison.Ordinal);
    }
}
