using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;

namespace DistTrain.Kernels.Tests.Backends.Cpu;

/// <summary>The CPU image operations give the same bits for any thread count.</summary>
public sealed class CpuImageOpsTests
{
    [Fact]
    public void ImageOperationsGiveTheSameBitsWithOneAndWithThreeThreads()
    {
        var window = new Window2D(13, 11, 6, 3, 3, 2, 2, PaddingKind.Same);
        const int Batch = 7;
        var random = new System.Random(80);
        var input = Enumerable.Range(0, Batch * window.InputSize).Select(_ => (float)random.Next(-4, 5) * 0.37f).ToArray();
        var columns = Enumerable.Range(0, Batch * window.OutputPixels * window.PatchSize).Select(_ => (float)random.NextDouble()).ToArray();
        var pooledGrad = Enumerable.Range(0, Batch * window.PooledSize).Select(_ => (float)random.NextDouble()).ToArray();

        float[][] Run(int threads)
        {
            using var backend = new CpuBackend(threads);
            using var x = backend.Allocate(input.Length);
            using var cols = backend.Allocate(columns.Length);
            using var g = backend.Allocate(pooledGrad.Length);
            using var im = backend.Allocate(input.Length);
            using var maxGrad = backend.Allocate(input.Length);
            using var avgGrad = backend.Allocate(input.Length);
            using var up = backend.Allocate(input.Length * 6);
            using var upGrad = backend.Allocate(input.Length);
            x.Upload(input);
            cols.Upload(columns);
            g.Upload(pooledGrad);
            backend.Col2Im(cols, im, Batch, window);
            backend.MaxPoolBackward(x, g, maxGrad, Batch, window);
            backend.AvgPoolBackward(g, avgGrad, Batch, window);
            backend.UpSampleForward(x, up, Batch, 13, 11, 6, 2, 3);
            backend.UpSampleBackward(up, upGrad, Batch, 13, 11, 6, 2, 3);
            return [im.ToArray(), maxGrad.ToArray(), avgGrad.ToArray(), upGrad.ToArray()];
        }

        var one = Run(1);
        var three = Run(3);
        for (var i = 0; i < one.Length; i++)
        {
            Assert.Equal(one[i], three[i]);
        }
    }
}
