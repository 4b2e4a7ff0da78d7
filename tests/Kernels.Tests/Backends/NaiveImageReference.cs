using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tests.Backends;

/// <summary>
/// Scalar NHWC image operations written straight from their definitions (one output element
/// at a time, sums in double), independent of any backend's packing or loop order.
/// </summary>
internal static class NaiveImageReference
{
    /// <summary>Index of input cell (b, y, x, ch), or −1 when (y, x) is padding.</summary>
    public static int Cell(Window2D w, int b, int y, int x, int ch) =>
        y < 0 || y >= w.InputHeight || x < 0 || x >= w.InputWidth ? -1 : (((((b * w.InputHeight) + y) * w.InputWidth) + x) * w.Channels) + ch;

    /// <summary>The input cell under window offset (ky, kx) of output pixel (oy, ox), or −1 for padding.</summary>
    public static int Under(Window2D w, int b, int oy, int ox, int ky, int kx, int ch) =>
        Cell(w, b, (oy * w.StrideHeight) - w.PadTop + ky, (ox * w.StrideWidth) - w.PadLeft + kx, ch);

    /// <summary>Index of output element (b, oy, ox, ch) of a pooled or convolved tensor with <paramref name="channels"/> channels.</summary>
    public static int Out(Window2D w, int b, int oy, int ox, int ch, int channels) =>
        (((((b * w.OutputHeight) + oy) * w.OutputWidth) + ox) * channels) + ch;

    /// <summary>output[b, oy, ox, f] = Σ_{ky,kx,ch} input[under] · kernel[ky, kx, ch, f], and the Σ|terms| bound.</summary>
    public static (double[] Value, double[] Magnitude) Convolution(float[] input, float[] kernel, int batch, Window2D w, int filters)
    {
        var value = new double[batch * w.OutputPixels * filters];
        var magnitude = new double[value.Length];
        for (var b = 0; b < batch; b++)
        {
            for (var oy = 0; oy < w.OutputHeight; oy++)
            {
                for (var ox = 0; ox < w.OutputWidth; ox++)
                {
                    for (var f = 0; f < filters; f++)
                    {
                        double sum = 0, abs = 0;
                        for (var ky = 0; ky < w.WindowHeight; ky++)
                        {
                            for (var kx = 0; kx < w.WindowWidth; kx++)
                            {
                                for (var ch = 0; ch < w.Channels; ch++)
                                {
                                    var at = Under(w, b, oy, ox, ky, kx, ch);
                                    if (at >= 0)
                                    {
                                        double term = (double)input[at] * kernel[(((((ky * w.WindowWidth) + kx) * w.Channels) + ch) * filters) + f];
                                        sum += term;
                                        abs += Math.Abs(term);
                                    }
                                }
                            }
                        }

                        value[Out(w, b, oy, ox, f, filters)] = sum;
                        magnitude[Out(w, b, oy, ox, f, filters)] = abs;
                    }
                }
            }
        }

        return (value, magnitude);
    }

    /// <summary>The im2col matrix by its definition: row (b, oy, ox), column (ky, kx, ch); 0 on padding.</summary>
    public static float[] Im2Col(float[] input, int batch, Window2D w)
    {
        var columns = new float[batch * w.OutputPixels * w.PatchSize];
        var i = 0;
        for (var b = 0; b < batch; b++)
        {
            for (var oy = 0; oy < w.OutputHeight; oy++)
            {
                for (var ox = 0; ox < w.OutputWidth; ox++)
                {
                    for (var ky = 0; ky < w.WindowHeight; ky++)
                    {
                        for (var kx = 0; kx < w.WindowWidth; kx++)
                        {
                            for (var ch = 0; ch < w.Channels; ch++)
                            {
                                var at = Under(w, b, oy, ox, ky, kx, ch);
                                columns[i++] = at >= 0 ? input[at] : 0f;
                            }
                        }
                    }
                }
            }
        }

        return columns;
    }

    /// <summary>col2im: every column element added (in double) into the input cell it was copied from.</summary>
    public static double[] Col2Im(float[] columns, int batch, Window2D w)
    {
        var result = new double[batch * w.InputSize];
        var i = 0;
        for (var b = 0; b < batch; b++)
        {
            for (var oy = 0; oy < w.OutputHeight; oy++)
            {
                for (var ox = 0; ox < w.OutputWidth; ox++)
                {
                    for (var ky = 0; ky < w.WindowHeight; ky++)
                    {
                        for (var kx = 0; kx < w.WindowWidth; kx++)
                        {
                            for (var ch = 0; ch < w.Channels; ch++, i++)
                            {
                                var at = Under(w, b, oy, ox, ky, kx, ch);
                                if (at >= 0)
                                {
                                    result[at] += columns[i];
                                }
                            }
                        }
                    }
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Pooling by definition: for each output element the in-image cells of its window; max
    /// (first maximum in (ky, kx) order, with its input index) or mean.
    /// </summary>
    public static (double[] Value, int[] ArgMax) Pool(float[] input, int batch, Window2D w, bool max)
    {
        var value = new double[batch * w.PooledSize];
        var argMax = new int[value.Length];
        for (var b = 0; b < batch; b++)
        {
            for (var oy = 0; oy < w.OutputHeight; oy++)
            {
                for (var ox = 0; ox < w.OutputWidth; ox++)
                {
                    for (var ch = 0; ch < w.Channels; ch++)
                    {
                        double sum = 0, best = double.NegativeInfinity;
                        int count = 0, bestAt = -1;
                        for (var ky = 0; ky < w.WindowHeight; ky++)
                        {
                            for (var kx = 0; kx < w.WindowWidth; kx++)
                            {
                                var at = Under(w, b, oy, ox, ky, kx, ch);
                                if (at < 0)
                                {
                                    continue;
                                }

                                count++;
                                sum += input[at];
                                if (input[at] > best)
                                {
                                    best = input[at];
                                    bestAt = at;
                                }
                            }
                        }

                        var o = Out(w, b, oy, ox, ch, w.Channels);
                        value[o] = max ? best : sum / count;
                        argMax[o] = bestAt;
                    }
                }
            }
        }

        return (value, argMax);
    }

    /// <summary>Number of in-image cells of each output pixel's window.</summary>
    public static int ValidCount(Window2D w, int oy, int ox)
    {
        var count = 0;
        for (var ky = 0; ky < w.WindowHeight; ky++)
        {
            for (var kx = 0; kx < w.WindowWidth; kx++)
            {
                count += Under(w, 0, oy, ox, ky, kx, 0) >= 0 ? 1 : 0;
            }
        }

        return count;
    }
}
