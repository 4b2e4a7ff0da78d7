using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// im2col / col2im for Conv2D (NHWC). Shapes: input (B, H·W·C), columns (B·OH·OW, KH·KW·C).
/// Work is split over samples; inside a sample everything runs in a fixed order, so results
/// do not depend on the thread count.
/// </summary>
public sealed partial class CpuBackend
{
    private ParallelOptions? _sampleOptions;

    /// <summary>Options for loops over samples: at most <see cref="MaxThreads"/> threads.</summary>
    private ParallelOptions SampleOptions => _sampleOptions ??= new ParallelOptions { MaxDegreeOfParallelism = MaxThreads, TaskScheduler = TaskScheduler.Default };

    /// <inheritdoc />
    public unsafe void Im2Col(BufferSpan input, BufferSpan columns, int batch, Window2D window)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var source = Pointer(input, Shape(batch, window.InputSize), nameof(input));
        var target = Pointer(columns, Shape(batch, checked(window.OutputPixels * window.PatchSize)), nameof(columns));
        ForEachSample(batch, b => Im2ColSample(window, source + ((long)b * window.InputSize), target + ((long)b * window.OutputPixels * window.PatchSize)));
    }

    /// <inheritdoc />
    public unsafe void Col2Im(BufferSpan columns, BufferSpan gradInput, int batch, Window2D window)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var source = Pointer(columns, Shape(batch, checked(window.OutputPixels * window.PatchSize)), nameof(columns));
        var target = Pointer(gradInput, Shape(batch, window.InputSize), nameof(gradInput));
        ForEachSample(batch, b => Col2ImSample(window, source + ((long)b * window.OutputPixels * window.PatchSize), target + ((long)b * window.InputSize)));
    }

    /// <summary>Patch rows of at most this many floats are copied element by element rather than as spans.</summary>
    private const int ShortPatchRow = 16;

    /// <summary>One sample's patches: for each output pixel and kernel row ky, the in-image cells of the row are one contiguous copy.</summary>
    private static unsafe void Im2ColSample(Window2D w, float* input, float* columns)
    {
        int c = w.Channels, rowFloats = w.WindowWidth * c;
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                float* patch = columns + (((long)(oy * w.OutputWidth) + ox) * w.PatchSize);
                var (kx0, kx1, x0) = ValidSpan(ox, w.StrideWidth, w.PadLeft, w.WindowWidth, w.InputWidth);
                for (int ky = 0; ky < w.WindowHeight; ky++)
                {
                    int y = (oy * w.StrideHeight) - w.PadTop + ky;
                    if (rowFloats <= ShortPatchRow)
                    {
                        // A few floats per row (a 3×3 kernel on one channel): element by element,
                        // since three span calls per 3-float row cost more than the copy itself.
                        float* dst = patch + (ky * rowFloats);
                        bool rowInImage = y >= 0 && y < w.InputHeight;
                        float* src = input + ((((long)y * w.InputWidth) + x0 - kx0) * c);
                        for (int kx = 0; kx < w.WindowWidth; kx++)
                        {
                            bool inside = rowInImage && kx >= kx0 && kx < kx1;
                            for (int ch = 0; ch < c; ch++)
                            {
                                dst[(kx * c) + ch] = inside ? src[(kx * c) + ch] : 0f;
                            }
                        }

                        continue;
                    }

                    var row = new Span<float>(patch + (ky * rowFloats), rowFloats);
                    if (y < 0 || y >= w.InputHeight || kx1 <= kx0)
                    {
                        row.Clear();
                        continue;
                    }

                    row[..(kx0 * c)].Clear();
                    new ReadOnlySpan<float>(input + ((((long)y * w.InputWidth) + x0) * c), (kx1 - kx0) * c).CopyTo(row[(kx0 * c)..]);
                    row[(kx1 * c)..].Clear();
                }
            }
        }
    }

    /// <summary>One sample's adjoint: patches added back in ascending (oy, ox) order, each row segment a vector add.</summary>
    private static unsafe void Col2ImSample(Window2D w, float* columns, float* gradInput)
    {
        int c = w.Channels, rowFloats = w.WindowWidth * c;
        new Span<float>(gradInput, w.InputSize).Clear();
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                float* patch = columns + (((long)(oy * w.OutputWidth) + ox) * w.PatchSize);
                var (kx0, kx1, x0) = ValidSpan(ox, w.StrideWidth, w.PadLeft, w.WindowWidth, w.InputWidth);
                if (kx1 <= kx0)
                {
                    continue;
                }

                for (int ky = 0; ky < w.WindowHeight; ky++)
                {
                    int y = (oy * w.StrideHeight) - w.PadTop + ky;
                    if (y < 0 || y >= w.InputHeight)
                    {
                        continue;
                    }

                    var target = new Span<float>(gradInput + ((((long)y * w.InputWidth) + x0) * c), (kx1 - kx0) * c);
                    TensorPrimitives.Add(target, new ReadOnlySpan<float>(patch + (ky * rowFloats) + (kx0 * c), target.Length), target);
                }
            }
        }
    }

    /// <summary>
    /// The window offsets [k0, k1) of output position <paramref name="o"/> that land inside
    /// [0, size), and the input index x0 of offset k0.
    /// </summary>
    private static (int K0, int K1, int X0) ValidSpan(int o, int stride, int pad, int window, int size)
    {
        int start = (o * stride) - pad;
        int k0 = Math.Max(0, -start);
        int k1 = Math.Min(window, size - start);
        return (k0, k1, start + k0);
    }

    /// <summary>Runs <paramref name="body"/> for every sample, on up to <see cref="MaxThreads"/> threads.</summary>
    private void ForEachSample(int batch, Action<int> body)
    {
        if (batch <= 1 || MaxThreads == 1)
        {
            for (int b = 0; b < batch; b++)
            {
                body(b);
            }

            return;
        }

        Parallel.For(0, batch, SampleOptions, body);
    }

    /// <summary>A raw pointer to the span's first float (CPU buffers are native memory that never moves).</summary>
    private static unsafe float* Pointer(BufferSpan span, int needed, string name) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(View(span, needed, name)));
}
