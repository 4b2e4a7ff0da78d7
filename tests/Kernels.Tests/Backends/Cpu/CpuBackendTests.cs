using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;

namespace DistTrain.Kernels.Tests.Backends.Cpu;

/// <summary>The backend contract on the CPU backend, plus its thread-count determinism.</summary>
public sealed class CpuBackendTests : BackendContractTests
{
    protected override IComputeBackend CreateBackend() => new CpuBackend();

    [Theory]
    [InlineData(false, false, 200, 512, 784)]
    [InlineData(true, false, 784, 512, 200)]
    [InlineData(false, true, 200, 784, 512)]
    [InlineData(true, true, 67, 301, 259)]
    public void GemmGivesTheSameBitsWithOneAndWithTwoThreads(bool transposeA, bool transposeB, int m, int n, int k)
    {
        var random = new Random(40);
        var a = RandomFloats(random, m * k);
        var b = RandomFloats(random, k * n);
        var c = RandomFloats(random, m * n);
        var results = new List<float[]>();
        foreach (var (threads, threading) in new[] { (1, GemmThreading.ParallelFor), (2, GemmThreading.ParallelFor), (3, GemmThreading.ParallelFor), (2, GemmThreading.Workers) })
        {
            using var backend = new CpuBackend(threads, threading);
            using var aBuffer = backend.Allocate(a.Length);
            using var bBuffer = backend.Allocate(b.Length);
            using var cBuffer = backend.Allocate(c.Length);
            aBuffer.Upload(a);
            bBuffer.Upload(b);
            cBuffer.Upload(c);
            backend.Gemm(transposeA, transposeB, m, n, k, 0.5f, aBuffer, bBuffer, 0.25f, cBuffer);
            results.Add(cBuffer.ToArray());
        }

        AssertBitIdentical(results[0], results[1], "1 vs 2 threads");
        AssertBitIdentical(results[0], results[2], "1 vs 3 threads");
        AssertBitIdentical(results[0], results[3], "Parallel.For vs dedicated workers");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public unsafe void EveryKernelWidthGivesTheSameBits(bool transposeA, bool transposeB)
    {
        // Machines with AVX-512, AVX2 or only 128-bit SIMD must train to the same bits. Widths
        // the hardware does not accelerate run in software, so the shape stays small.
        const int M = 13, N = 70, K = 300;
        var random = new Random(41);
        var a = RandomFloats(random, M * K);
        var b = RandomFloats(random, K * N);
        var initial = RandomFloats(random, M * N);
        var results = new List<float[]>();
        foreach (var width in Enum.GetValues<SgemmWidth>())
        {
            var c = (float[])initial.Clone();
            using var sgemm = new Sgemm(2, width);
            fixed (float* pa = a, pb = b, pc = c)
            {
                sgemm.Run(transposeA, transposeB, M, N, K, 1.5f, pa, pb, -0.5f, pc);
            }

            results.Add(c);
        }

        AssertBitIdentical(results[0], results[1], "Vector128 vs Vector256 kernel");
        AssertBitIdentical(results[0], results[2], "Vector128 vs Vector512 kernel");
    }

    [Fact]
    public void LongVectorPassesGiveTheSameBitsWithOneAndWithTwoThreads()
    {
        // Longer than one block of the parallel element-wise passes (and not a multiple of it).
        var random = new Random(42);
        int length = (3 * 65536) + 13;
        var g = RandomFloats(random, length);
        var w0 = RandomFloats(random, length);
        var v0 = RandomFloats(random, length);
        var sums = new List<double>();
        var weights = new List<float[]>();
        var velocities = new List<float[]>();
        foreach (var threads in new[] { 1, 2, 3 })
        {
            using var backend = new CpuBackend(threads);
            using var gBuffer = backend.Allocate(length);
            using var wBuffer = backend.Allocate(length);
            using var vBuffer = backend.Allocate(length);
            gBuffer.Upload(g);
            wBuffer.Upload(w0);
            vBuffer.Upload(v0);
            sums.Add(backend.SumOfSquares(gBuffer));
            backend.MomentumSgd(wBuffer, gBuffer, vBuffer, new SgdStep(0.05f, 0.9f, Nesterov: true, WeightDecay: 1e-4f, GradientScale: 0.5f));
            weights.Add(wBuffer.ToArray());
            velocities.Add(vBuffer.ToArray());
        }

        double exact = g.Sum(x => (double)x * x);
        Assert.Equal(exact, sums[0], exact * 1e-12);
        Assert.All(sums, s => Assert.Equal(BitConverter.DoubleToInt64Bits(sums[0]), BitConverter.DoubleToInt64Bits(s)));
        for (int t = 1; t < 3; t++)
        {
            AssertBitIdentical(weights[0], weights[t], $"weights, {t + 1} threads");
            AssertBitIdentical(velocities[0], velocities[t], $"velocity, {t + 1} threads");
        }

        // And each element is the update's formula (a spot check at the block edges).
        foreach (int i in new[] { 0, 65535, 65536, length - 1 })
        {
            float gi = (0.5f * g[i]) + (1e-4f * w0[i]);
            float vi = (0.9f * v0[i]) + gi;
            Assert.Equal(w0[i] - (0.05f * (gi + (0.9f * vi))), weights[0][i]);
            Assert.Equal(vi, velocities[0][i]);
        }
    }

    [Theory]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Softmax)]
    [InlineData(ActivationKind.Linear)]
    public void RowBlockPassesGiveTheSameBitsWithOneTwoAndThreeThreads(ActivationKind kind)
    {
        // 300 × 600 = 180,000 floats: eleven blocks of 27 rows, the last one short.
        const int Rows = 300, Cols = 600;
        var random = new Random(43);
        var x = RandomFloats(random, Rows * Cols);
        var bias = RandomFloats(random, Cols);
        var g = RandomFloats(random, Rows * Cols);
        var results = new List<(float[] Biased, float[] Forward, float[] Backward)>();
        foreach (var threads in new[] { 1, 2, 3 })
        {
            using var backend = new CpuBackend(threads);
            using var xBuffer = backend.Allocate(x.Length);
            using var biasBuffer = backend.Allocate(Cols);
            using var yBuffer = backend.Allocate(x.Length);
            using var gBuffer = backend.Allocate(g.Length);
            xBuffer.Upload(x);
            biasBuffer.Upload(bias);
            gBuffer.Upload(g);
            backend.AddBias(xBuffer, biasBuffer, Rows, Cols);
            var biased = xBuffer.ToArray();
            backend.ActivationForward(kind, xBuffer, yBuffer, Rows, Cols);
            backend.ActivationBackward(kind, yBuffer, gBuffer, gBuffer, Rows, Cols); // in place, as Dense calls it
            results.Add((biased, yBuffer.ToArray(), gBuffer.ToArray()));
        }

        for (int t = 1; t < 3; t++)
        {
            AssertBitIdentical(results[0].Biased, results[t].Biased, $"bias, {t + 1} threads");
            AssertBitIdentical(results[0].Forward, results[t].Forward, $"{kind} forward, {t + 1} threads");
            AssertBitIdentical(results[0].Backward, results[t].Backward, $"{kind} backward, {t + 1} threads");
        }

        // Against the formulas, element by element (every block, edges included).
        var (biasedRef, forwardRef, backwardRef) = results[0];
        for (int r = 0; r < Rows; r++)
        {
            double max = double.NegativeInfinity, sum = 0, dot = 0;
            for (int c = 0; c < Cols; c++)
            {
                max = Math.Max(max, x[(r * Cols) + c] + bias[c]);
            }

            for (int c = 0; c < Cols; c++)
            {
                sum += Math.Exp(x[(r * Cols) + c] + bias[c] - max);
            }

            for (int c = 0; c < Cols; c++)
            {
                int i = (r * Cols) + c;
                dot += forwardRef[i] * (double)g[i];
            }

            for (int c = 0; c < Cols; c++)
            {
                int i = (r * Cols) + c;
                float z = x[i] + bias[c];
                Assert.Equal(z, biasedRef[i]);
                double y = kind switch
                {
                    ActivationKind.Relu => Math.Max(z, 0),
                    ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-z)),
                    ActivationKind.Tanh => Math.Tanh(z),
                    ActivationKind.Softmax => Math.Exp(z - max) / sum,
                    _ => z,
                };
                double dy = kind switch
                {
                    ActivationKind.Relu => z > 0 ? g[i] : 0,
                    ActivationKind.Sigmoid => g[i] * y * (1 - y),
                    ActivationKind.Tanh => g[i] * (1 - (y * y)),
                    ActivationKind.Softmax => y * (g[i] - dot),
                    _ => g[i],
                };
                Assert.Equal(y, forwardRef[i], 1e-5);
                Assert.Equal(dy, backwardRef[i], 1e-5);
            }
        }
    }

    [Fact]
    public void ConstructorRejectsLessThanOneThread()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new CpuBackend(0));
        Assert.Equal("maxThreads", ex.ParamName);
    }

    [Fact]
    public void BuffersOfAnotherBackendAreRejectedWithAClearMessage()
    {
        var foreign = new ForeignBuffer(4);
        var ex = Assert.ThrowsAny<ArgumentException>(() => Backend.Scale(foreign, 2f));
        Assert.Contains("CPU backend", ex.Message, StringComparison.Ordinal);
    }

    private sealed class ForeignBuffer(int length) : DeviceBuffer(length)
    {
        public override void Upload(ReadOnlySpan<float> source, int offset = 0) => CheckRange(offset, source.Length);

        public override void Download(Span<float> destination, int offset = 0) => CheckRange(offset, destination.Length);
    }
}
