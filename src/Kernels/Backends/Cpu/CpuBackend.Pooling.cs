namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// Max and average pooling (NHWC), forward and backward. Shapes: input and gradInput
/// (B, H·W·C); output and gradOutput (B, OH·OW·C). Parallel over samples; inside a sample
/// the windows are visited in ascending (oy, ox) order, which fixes every sum.
/// </summary>
public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public unsafe void MaxPoolForward(BufferSpan input, BufferSpan output, int batch, Window2D window)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var x = Pointer(input, Shape(batch, window.InputSize), nameof(input));
        var y = Pointer(output, Shape(batch, window.PooledSize), nameof(output));
        ForEachSample(batch, b => PoolSample(window, x + ((long)b * window.InputSize), y + ((long)b * window.PooledSize), max: true));
    }

    /// <inheritdoc />
    public unsafe void AvgPoolForward(BufferSpan input, BufferSpan output, int batch, Window2D window)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var x = Pointer(input, Shape(batch, window.InputSize), nameof(input));
        var y = Pointer(output, Shape(batch, window.PooledSize), nameof(output));
        ForEachSample(batch, b => PoolSample(window, x + ((long)b * window.InputSize), y + ((long)b * window.PooledSize), max: false));
    }

    /// <inheritdoc />
    public unsafe void MaxPoolBackward(BufferSpan input, BufferSpan gradOutput, BufferSpan gradInput, int batch, Window2D window)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var x = Pointer(input, Shape(batch, window.InputSize), nameof(input));
        var g = Pointer(gradOutput, Shape(batch, window.PooledSize), nameof(gradOutput));
        var gx = Pointer(gradInput, Shape(batch, window.InputSize), nameof(gradInput));
        ForEachSample(batch, b => MaxPoolBackwardSample(window, x + ((long)b * window.InputSize), g + ((long)b * window.PooledSize), gx + ((long)b * window.InputSize)));
    }

    /// <inheritdoc />
    public unsafe void AvgPoolBackward(BufferSpan gradOutput, BufferSpan gradInput, int batch, Window2D window)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var g = Pointer(gradOutput, Shape(batch, window.PooledSize), nameof(gradOutput));
        var gx = Pointer(gradInput, Shape(batch, window.InputSize), nameof(gradInput));
        ForEachSample(batch, b => AvgPoolBackwardSample(window, g + ((long)b * window.PooledSize), gx + ((long)b * window.InputSize)));
    }

    /// <summary>
    /// One sample's pooled outputs: per channel, the first in-image cell in (ky, kx) order, then
    /// the others (max: strict &gt;, so the first maximum wins; average: summed in order and
    /// divided by the number of in-image cells).
    /// </summary>
    private static unsafe void PoolSample(Window2D w, float* input, float* output, bool max)
    {
        int c = w.Channels;
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            var (ky0, ky1, y0) = ValidSpan(oy, w.StrideHeight, w.PadTop, w.WindowHeight, w.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                var (kx0, kx1, x0) = ValidSpan(ox, w.StrideWidth, w.PadLeft, w.WindowWidth, w.InputWidth);
                float* result = output + ((((long)oy * w.OutputWidth) + ox) * c);
                int count = (ky1 - ky0) * (kx1 - kx0);
                for (int ch = 0; ch < c; ch++)
                {
                    float acc = 0f;
                    bool first = true;
                    for (int y = y0; y < y0 + (ky1 - ky0); y++)
                    {
                        float* cell = input + ((((long)y * w.InputWidth) + x0) * c) + ch;
                        for (int i = 0; i < kx1 - kx0; i++, cell += c)
                        {
                            float v = *cell;
                            if (first)
                            {
                                acc = v;
                                first = false;
                            }
                            else if (max)
                            {
                                acc = v > acc ? v : acc;
                            }
                            else
                            {
                                acc += v;
                            }
                        }
                    }

                    result[ch] = max ? acc : acc / count;
                }
            }
        }
    }

    /// <summary>One sample: each window's gradient goes to its first maximum; windows in (oy, ox) order.</summary>
    private static unsafe void MaxPoolBackwardSample(Window2D w, float* input, float* gradOutput, float* gradInput)
    {
        int c = w.Channels;
        new Span<float>(gradInput, w.InputSize).Clear();
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            var (ky0, ky1, y0) = ValidSpan(oy, w.StrideHeight, w.PadTop, w.WindowHeight, w.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                var (kx0, kx1, x0) = ValidSpan(ox, w.StrideWidth, w.PadLeft, w.WindowWidth, w.InputWidth);
                float* g = gradOutput + ((((long)oy * w.OutputWidth) + ox) * c);
                for (int ch = 0; ch < c; ch++)
                {
                    long best = (((long)y0 * w.InputWidth) + x0) * c + ch;
                    float bestValue = input[best];
                    for (int y = y0; y < y0 + (ky1 - ky0); y++)
                    {
                        for (int x = x0; x < x0 + (kx1 - kx0); x++)
                        {
                            long at = ((((long)y * w.InputWidth) + x) * c) + ch;
                            if (input[at] > bestValue)
                            {
                                best = at;
                                bestValue = input[at];
                            }
                        }
                    }

                    gradInput[best] += g[ch];
                }
            }
        }
    }

    /// <summary>One sample: gradOutput/count added to every in-image cell of its window; windows in (oy, ox) order.</summary>
    private static unsafe void AvgPoolBackwardSample(Window2D w, float* gradOutput, float* gradInput)
    {
        int c = w.Channels;
        new Span<float>(gradInput, w.InputSize).Clear();
        for (int oy = 0; oy < w.OutputHeight; oy++)
        {
            var (ky0, ky1, y0) = ValidSpan(oy, w.StrideHeight, w.PadTop, w.WindowHeight, w.InputHeight);
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                var (kx0, kx1, x0) = ValidSpan(ox, w.StrideWidth, w.PadLeft, w.WindowWidth, w.InputWidth);
                float* g = gradOutput + ((((long)oy * w.OutputWidth) + ox) * c);
                float count = (ky1 - ky0) * (kx1 - kx0);
                for (int y = y0; y < y0 + (ky1 - ky0); y++)
                {
                    float* cell = gradInput + ((((long)y * w.InputWidth) + x0) * c);
                    for (int i = 0; i < kx1 - kx0; i++, cell += c)
                    {
                        for (int ch = 0; ch < c; ch++)
                        {
                            cell[ch] += g[ch] / count;
                        }
                    }
                }
            }
        }
    }
}
