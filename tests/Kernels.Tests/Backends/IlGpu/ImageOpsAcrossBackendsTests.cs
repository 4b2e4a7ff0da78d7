using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Backends.IlGpu;

namespace DistTrain.Kernels.Tests.Backends.IlGpu;

/// <summary>
/// The image operations add in the same order on both backends, so the ILGPU kernels (here on
/// the CPU accelerator) and the CPU backend give the same bits.
/// </summary>
public sealed class ImageOpsAcrossBackendsTests
{
    [Theory]
    [InlineData(2, 3, PaddingKind.Same)]
    [InlineData(2, 3, PaddingKind.Valid)]
    [InlineData(1, 3, PaddingKind.Same)]
    public void IlGpuAndCpuGiveTheSameBitsForEveryImageOperation(int stride, int window, PaddingKind padding)
    {
        var geometry = new Window2D(9, 8, 3, window, window, stride, stride, padding);
        const int Batch = 3;
        var random = new System.Random(90);
        var input = Enumerable.Range(0, Batch * geometry.InputSize).Select(_ => (float)random.Next(-3, 4) * 0.3f).ToArray();
        var columns = Enumerable.Range(0, Batch * geometry.OutputPixels * geometry.PatchSize).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var pooledGrad = Enumerable.Range(0, Batch * geometry.PooledSize).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

        using var cpu = new CpuBackend();
        using var gpu = IlGpuBackend.CreateCpuEmulator();
        var expected = Run(cpu, geometry, Batch, input, columns, pooledGrad);
        var actual = Run(gpu, geometry, Batch, input, columns, pooledGrad);
        string[] names = ["im2col", "col2im", "max pool", "max pool backward", "avg pool", "avg pool backward", "up-sample", "up-sample backward"];
        for (var i = 0; i < names.Length; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"{names[i]} differs between the backends for {geometry}.");
        }
    }

    private static float[][] Run(IComputeBackend backend, Window2D w, int batch, float[] input, float[] columns, float[] pooledGrad)
    {
        var buffers = new List<DeviceBuffer>();
        DeviceBuffer Buffer(int length, float[]? values = null)
        {
            var buffer = backend.Allocate(length);
            buffers.Add(buffer);
            if (values is not null)
            {
                buffer.Upload(values);
            }

            return buffer;
        }

        try
        {
            var x = Buffer(input.Length, input);
            var cols = Buffer(columns.Length, columns);
            var g = Buffer(pooledGrad.Length, pooledGrad);
            var results = new[]
            {
                Buffer(columns.Length), Buffer(input.Length), Buffer(pooledGrad.Length), Buffer(input.Length),
                Buffer(pooledGrad.Length), Buffer(input.Length), Buffer(input.Length * 2), Buffer(input.Length),
            };
            backend.Im2Col(x, results[0], batch, w);
            backend.Col2Im(cols, results[1], batch, w);
            backend.MaxPoolForward(x, results[2], batch, w);
            backend.MaxPoolBackward(x, g, results[3], batch, w);
            backend.AvgPoolForward(x, results[4], batch, w);
            backend.AvgPoolBackward(g, results[5], batch, w);
            backend.UpSampleForward(x, results[6], batch, w.InputHeight, w.InputWidth, w.Channels, 2, 1);
            backend.UpSampleBackward(results[6], results[7], batch, w.InputHeight, w.InputWidth, w.Channels, 2, 1);
            return [.. results.Select(r => r.ToArray())];
        }
        finally
        {
            buffers.ForEach(b => b.Dispose());
        }
    }
}
