namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>Image operations (im2col, col2im, pooling, up-sampling, the dropout product) through <see cref="ImageKernels"/>.</summary>
public sealed partial class IlGpuBackend
{
    private ImageKernelSet? _imaging;

    private ImageKernelSet Imaging => _imaging ??= ImageKernelSet.For(Accelerator);

    /// <inheritdoc />
    public void Im2Col(BufferSpan input, BufferSpan columns, int batch, Window2D window)
    {
        var (x, cols) = (View(input, nameof(input)), View(columns, nameof(columns)));
        RequireMatrix(input, nameof(input), batch, window.InputSize);
        int rows = checked(batch * window.OutputPixels);
        RequireMatrix(columns, nameof(columns), rows, window.PatchSize);
        if (rows > 0)
        {
            Imaging.Im2Col(checked(rows * window.PatchSize), x, cols, WindowArguments.From(window));
        }
    }

    /// <inheritdoc />
    public void Col2Im(BufferSpan columns, BufferSpan gradInput, int batch, Window2D window)
    {
        var (cols, gx) = (View(columns, nameof(columns)), View(gradInput, nameof(gradInput)));
        RequireMatrix(columns, nameof(columns), checked(batch * window.OutputPixels), window.PatchSize);
        RequireMatrix(gradInput, nameof(gradInput), batch, window.InputSize);
        if (batch > 0)
        {
            Imaging.Col2Im(checked(batch * window.InputSize), cols, gx, WindowArguments.From(window));
        }
    }

    /// <inheritdoc />
    public void MaxPoolForward(BufferSpan input, BufferSpan output, int batch, Window2D window) => PoolForward(input, output, batch, window, 1);

    /// <inheritdoc />
    public void AvgPoolForward(BufferSpan input, BufferSpan output, int batch, Window2D window) => PoolForward(input, output, batch, window, 0);

    /// <inheritdoc />
    public void MaxPoolBackward(BufferSpan input, BufferSpan gradOutput, BufferSpan gradInput, int batch, Window2D window)
    {
        var (x, g, gx) = (View(input, nameof(input)), View(gradOutput, nameof(gradOutput)), View(gradInput, nameof(gradInput)));
        RequireMatrix(input, nameof(input), batch, window.InputSize);
        RequireMatrix(gradOutput, nameof(gradOutput), batch, window.PooledSize);
        RequireMatrix(gradInput, nameof(gradInput), batch, window.InputSize);
        if (batch > 0)
        {
            Imaging.MaxPoolBackward(checked(batch * window.InputSize), x, g, gx, WindowArguments.From(window));
        }
    }

    /// <inheritdoc />
    public void AvgPoolBackward(BufferSpan gradOutput, BufferSpan gradInput, int batch, Window2D window)
    {
        var (g, gx) = (View(gradOutput, nameof(gradOutput)), View(gradInput, nameof(gradInput)));
        RequireMatrix(gradOutput, nameof(gradOutput), batch, window.PooledSize);
        RequireMatrix(gradInput, nameof(gradInput), batch, window.InputSize);
        if (batch > 0)
        {
            Imaging.AvgPoolBackward(checked(batch * window.InputSize), g, gx, WindowArguments.From(window));
        }
    }

    /// <inheritdoc />
    public void UpSampleForward(BufferSpan input, BufferSpan output, int batch, int height, int width, int channels, int scaleHeight, int scaleWidth)
    {
        var (x, y) = (View(input, nameof(input)), View(output, nameof(output)));
        var (inSize, outSize) = UpSampleShape.Sizes(height, width, channels, scaleHeight, scaleWidth);
        RequireMatrix(input, nameof(input), batch, inSize);
        RequireMatrix(output, nameof(output), batch, outSize);
        if (batch > 0)
        {
            Imaging.UpSampleForward(checked(batch * outSize), x, y, WindowArguments.UpSampling(height, width, channels, scaleHeight, scaleWidth));
        }
    }

    /// <inheritdoc />
    public void UpSampleBackward(BufferSpan gradOutput, BufferSpan gradInput, int batch, int height, int width, int channels, int scaleHeight, int scaleWidth)
    {
        var (g, gx) = (View(gradOutput, nameof(gradOutput)), View(gradInput, nameof(gradInput)));
        var (inSize, outSize) = UpSampleShape.Sizes(height, width, channels, scaleHeight, scaleWidth);
        RequireMatrix(gradOutput, nameof(gradOutput), batch, outSize);
        RequireMatrix(gradInput, nameof(gradInput), batch, inSize);
        if (batch > 0)
        {
            Imaging.UpSampleBackward(checked(batch * inSize), g, gx, WindowArguments.UpSampling(height, width, channels, scaleHeight, scaleWidth));
        }
    }

    /// <inheritdoc />
    public void Multiply(BufferSpan a, BufferSpan b, BufferSpan result)
    {
        var (av, bv, rv) = (View(a, nameof(a)), View(b, nameof(b)), View(result, nameof(result)));
        RequireSameLength(a, nameof(a), b, nameof(b));
        RequireSameLength(a, nameof(a), result, nameof(result));
        if (a.Length > 0)
        {
            Imaging.Multiply(a.Length, av, bv, rv);
        }
    }

    private void PoolForward(BufferSpan input, BufferSpan output, int batch, Window2D window, int isMax)
    {
        var (x, y) = (View(input, nameof(input)), View(output, nameof(output)));
        RequireMatrix(input, nameof(input), batch, window.InputSize);
        RequireMatrix(output, nameof(output), batch, window.PooledSize);
        if (batch > 0)
        {
            Imaging.PoolForward(checked(batch * window.PooledSize), x, y, WindowArguments.From(window), isMax);
        }
    }
}
