using ILGPU;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>
/// NHWC image kernels for Conv2D, pooling and up-sampling, one thread per element written.
/// Where several values meet in one element (col2im, the backward passes) the thread gathers
/// them itself, windows in ascending (oy, ox) order starting from 0 — the order the CPU
/// backend adds them in — so there are no atomics and the results are deterministic.
/// Shapes: input/gradInput (B, H·W·C), columns (B·OH·OW, KH·KW·C), pooled (B, OH·OW·C).
/// </summary>
internal static class ImageKernels
{
    /// <summary>columns[(b, oy, ox), (ky, kx, ch)] = input[b, oy·sh − pt + ky, ox·sw − pl + kx, ch] or 0 on padding.</summary>
    public static void Im2ColKernel(Index1D i, ArrayView<float> input, ArrayView<float> columns, WindowArguments w)
    {
        int patch = w.KH * w.KW * w.C;
        int col = i % patch, row = i / patch;
        int ch = col % w.C, kx = (col / w.C) % w.KW, ky = col / (w.C * w.KW);
        int ox = row % w.OW, oy = (row / w.OW) % w.OH, b = row / (w.OW * w.OH);
        int y = (oy * w.SH) - w.PadTop + ky, x = (ox * w.SW) - w.PadLeft + kx;
        columns[i] = y >= 0 && y < w.H && x >= 0 && x < w.W ? input[((((b * w.H) + y) * w.W) + x) * w.C + ch] : 0f;
    }

    /// <summary>gradInput[b, y, x, ch] = Σ over windows (oy, ox) containing (y, x) of columns[(b, oy, ox), (ky, kx, ch)].</summary>
    public static void Col2ImKernel(Index1D i, ArrayView<float> columns, ArrayView<float> gradInput, WindowArguments w)
    {
        Decompose(i, w, out int b, out int y, out int x, out int ch);
        int patch = w.KH * w.KW * w.C;
        var sum = 0f;
        for (int oy = FirstWindow(y, w.PadTop, w.KH, w.SH); oy <= LastWindow(y, w.PadTop, w.SH, w.OH); oy++)
        {
            int ky = y + w.PadTop - (oy * w.SH);
            for (int ox = FirstWindow(x, w.PadLeft, w.KW, w.SW); ox <= LastWindow(x, w.PadLeft, w.SW, w.OW); ox++)
            {
                int kx = x + w.PadLeft - (ox * w.SW);
                sum += columns[((((b * w.OH) + oy) * w.OW) + ox) * patch + (((ky * w.KW) + kx) * w.C) + ch];
            }
        }

        gradInput[i] = sum;
    }

    /// <summary>output[b, oy, ox, ch] = max (first maximum in (ky, kx) order) or mean of the window's in-image cells (isMax: 1 or 0).</summary>
    public static void PoolForwardKernel(Index1D i, ArrayView<float> input, ArrayView<float> output, WindowArguments w, int isMax)
    {
        int ch = i % w.C, pixel = i / w.C;
        int ox = pixel % w.OW, oy = (pixel / w.OW) % w.OH, b = pixel / (w.OW * w.OH);
        int y0 = Start(oy, w.SH, w.PadTop), y1 = End(y0, w.KH, w.H);
        int x0 = Start(ox, w.SW, w.PadLeft), x1 = End(x0, w.KW, w.W);
        y0 = y0 < 0 ? 0 : y0;
        x0 = x0 < 0 ? 0 : x0;
        float acc = input[((((b * w.H) + y0) * w.W) + x0) * w.C + ch];
        bool first = true;
        for (int y = y0; y < y1; y++)
        {
            for (int x = x0; x < x1; x++)
            {
                float v = input[((((b * w.H) + y) * w.W) + x) * w.C + ch];
                if (first)
                {
                    first = false;
                }
                else if (isMax != 0)
                {
                    acc = v > acc ? v : acc;
                }
                else
                {
                    acc += v;
                }
            }
        }

        output[i] = isMax != 0 ? acc : acc / ((y1 - y0) * (x1 - x0));
    }

    /// <summary>gradInput[cell] = Σ over windows whose first maximum is this cell of gradOutput[window].</summary>
    public static void MaxPoolBackwardKernel(Index1D i, ArrayView<float> input, ArrayView<float> gradOutput, ArrayView<float> gradInput, WindowArguments w)
    {
        Decompose(i, w, out int b, out int y, out int x, out int ch);
        var sum = 0f;
        for (int oy = FirstWindow(y, w.PadTop, w.KH, w.SH); oy <= LastWindow(y, w.PadTop, w.SH, w.OH); oy++)
        {
            for (int ox = FirstWindow(x, w.PadLeft, w.KW, w.SW); ox <= LastWindow(x, w.PadLeft, w.SW, w.OW); ox++)
            {
                if (ArgMax(input, w, b, oy, ox, ch) == i)
                {
                    sum += gradOutput[((((b * w.OH) + oy) * w.OW) + ox) * w.C + ch];
                }
            }
        }

        gradInput[i] = sum;
    }

    /// <summary>gradInput[cell] = Σ over windows containing the cell of gradOutput[window] / count(window).</summary>
    public static void AvgPoolBackwardKernel(Index1D i, ArrayView<float> gradOutput, ArrayView<float> gradInput, WindowArguments w)
    {
        Decompose(i, w, out int b, out int y, out int x, out int ch);
        var sum = 0f;
        for (int oy = FirstWindow(y, w.PadTop, w.KH, w.SH); oy <= LastWindow(y, w.PadTop, w.SH, w.OH); oy++)
        {
            int y0 = Start(oy, w.SH, w.PadTop), y1 = End(y0, w.KH, w.H);
            int rows = y1 - (y0 < 0 ? 0 : y0);
            for (int ox = FirstWindow(x, w.PadLeft, w.KW, w.SW); ox <= LastWindow(x, w.PadLeft, w.SW, w.OW); ox++)
            {
                int x0 = Start(ox, w.SW, w.PadLeft), x1 = End(x0, w.KW, w.W);
                float count = rows * (x1 - (x0 < 0 ? 0 : x0));
                sum += gradOutput[((((b * w.OH) + oy) * w.OW) + ox) * w.C + ch] / count;
            }
        }

        gradInput[i] = sum;
    }

    /// <summary>output[b, y, x, ch] = input[b, y / sh, x / sw, ch]; w.H, w.W, w.C describe the input, w.SH, w.SW the scale.</summary>
    public static void UpSampleForwardKernel(Index1D i, ArrayView<float> input, ArrayView<float> output, WindowArguments w)
    {
        int outWidth = w.W * w.SW, outHeight = w.H * w.SH;
        int ch = i % w.C, pixel = i / w.C;
        int x = pixel % outWidth, y = (pixel / outWidth) % outHeight, b = pixel / (outWidth * outHeight);
        output[i] = input[((((b * w.H) + (y / w.SH)) * w.W) + (x / w.SW)) * w.C + ch];
    }

    /// <summary>gradInput[b, y, x, ch] = Σ_{dy, dx} gradOutput[b, y·sh + dy, x·sw + dx, ch], in (dy, dx) order.</summary>
    public static void UpSampleBackwardKernel(Index1D i, ArrayView<float> gradOutput, ArrayView<float> gradInput, WindowArguments w)
    {
        Decompose(i, w, out int b, out int y, out int x, out int ch);
        int outWidth = w.W * w.SW, outHeight = w.H * w.SH;
        var sum = 0f;
        for (int dy = 0; dy < w.SH; dy++)
        {
            for (int dx = 0; dx < w.SW; dx++)
            {
                sum += gradOutput[((((b * outHeight) + (y * w.SH) + dy) * outWidth) + (x * w.SW) + dx) * w.C + ch];
            }
        }

        gradInput[i] = sum;
    }

    /// <summary>result[i] = a[i]·b[i].</summary>
    public static void MultiplyKernel(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> result) => result[i] = a[i] * b[i];

    /// <summary>Index of the first maximum (in (ky, kx) order) of channel ch in window (oy, ox).</summary>
    private static int ArgMax(ArrayView<float> input, WindowArguments w, int b, int oy, int ox, int ch)
    {
        int y0 = Start(oy, w.SH, w.PadTop), y1 = End(y0, w.KH, w.H);
        int x0 = Start(ox, w.SW, w.PadLeft), x1 = End(x0, w.KW, w.W);
        y0 = y0 < 0 ? 0 : y0;
        x0 = x0 < 0 ? 0 : x0;
        int best = ((((b * w.H) + y0) * w.W) + x0) * w.C + ch;
        float bestValue = input[best];
        for (int y = y0; y < y1; y++)
        {
            for (int x = x0; x < x1; x++)
            {
                int at = ((((b * w.H) + y) * w.W) + x) * w.C + ch;
                if (input[at] > bestValue)
                {
                    best = at;
                    bestValue = input[at];
                }
            }
        }

        return best;
    }

    /// <summary>(b, y, x, ch) of input element i.</summary>
    private static void Decompose(int i, WindowArguments w, out int b, out int y, out int x, out int ch)
    {
        ch = i % w.C;
        int pixel = i / w.C;
        x = pixel % w.W;
        y = (pixel / w.W) % w.H;
        b = pixel / (w.W * w.H);
    }

    /// <summary>First image coordinate of window o (may be negative: padding).</summary>
    private static int Start(int o, int stride, int pad) => (o * stride) - pad;

    /// <summary>One past the last in-image coordinate of a window starting at start.</summary>
    private static int End(int start, int window, int size) => start + window < size ? start + window : size;

    /// <summary>Smallest window index o ≥ 0 with o·s − pad + k − 1 ≥ coordinate.</summary>
    private static int FirstWindow(int coordinate, int pad, int window, int stride)
    {
        int numerator = coordinate + pad - window + 1;
        return numerator <= 0 ? 0 : (numerator + stride - 1) / stride;
    }

    /// <summary>Largest window index o &lt; count with o·s − pad ≤ coordinate.</summary>
    private static int LastWindow(int coordinate, int pad, int stride, int count)
    {
        int last = (coordinate + pad) / stride;
        return last < count - 1 ? last : count - 1;
    }
}

/// <summary>A <see cref="Window2D"/> as plain fields for the kernels.</summary>
internal readonly record struct WindowArguments(int H, int W, int C, int KH, int KW, int SH, int SW, int OH, int OW, int PadTop, int PadLeft)
{
    public static WindowArguments From(Window2D w) =>
        new(w.InputHeight, w.InputWidth, w.Channels, w.WindowHeight, w.WindowWidth, w.StrideHeight, w.StrideWidth, w.OutputHeight, w.OutputWidth, w.PadTop, w.PadLeft);

    /// <summary>An up-sampling of an h × w × c image by (sh, sw), in the same fields.</summary>
    public static WindowArguments UpSampling(int height, int width, int channels, int scaleHeight, int scaleWidth) =>
        new(height, width, channels, 1, 1, scaleHeight, scaleWidth, height * scaleHeight, width * scaleWidth, 0, 0);
}
