namespace DistTrain.Kernels.Backends;

/// <summary>
/// Image operations in NHWC layout (<c>[b, h, w, c]</c>, row-major) for Conv2D, pooling,
/// up-sampling and dropout. Each writes (overwrites) its output. Operations that add several
/// values into one element (<see cref="Col2Im"/>, the pooling and up-sampling backward passes)
/// add them, starting from zero, in ascending order of the output pixel (oy, ox) that
/// contributes, on every backend, so the result never depends on threading.
/// </summary>
public partial interface IComputeBackend
{
    /// <summary>
    /// Packs the patches of a convolution into rows:
    /// <c>columns[(b·oh + oy)·ow + ox, (ky·kw + kx)·c + ch] = input[b, oy·sh − padTop + ky, ox·sw − padLeft + kx, ch]</c>,
    /// 0 where that cell is padding. input: (batch, h·w·c); columns: (batch·oh·ow, kh·kw·c).
    /// With the kernel <c>[kh, kw, c, n]</c> seen as a (kh·kw·c, n) matrix, the convolution is
    /// <c>columns · kernel</c>, an (batch·oh·ow, n) matrix, which is the NHWC output.
    /// </summary>
    void Im2Col(BufferSpan input, BufferSpan columns, int batch, Window2D window);

    /// <summary>
    /// The adjoint of <see cref="Im2Col"/>: <c>gradInput[b, y, x, ch] = Σ columns[…]</c> over every
    /// (oy, ox, ky, kx) whose cell is (y, x); padding cells are dropped. columns: (batch·oh·ow,
    /// kh·kw·c); gradInput: (batch, h·w·c), overwritten.
    /// </summary>
    void Col2Im(BufferSpan columns, BufferSpan gradInput, int batch, Window2D window);

    /// <summary>
    /// Max pooling: <c>output[b, oy, ox, ch]</c> = the largest input cell of the window (padding
    /// cells ignored). input: (batch, h·w·c); output: (batch, oh·ow·c).
    /// </summary>
    void MaxPoolForward(BufferSpan input, BufferSpan output, int batch, Window2D window);

    /// <summary>
    /// Max-pooling gradient: each <c>gradOutput[b, oy, ox, ch]</c> goes to the window's largest
    /// input cell, the first in (ky, kx) order on ties; cells in several windows add up.
    /// input: (batch, h·w·c) as given to the forward pass; gradOutput: (batch, oh·ow·c);
    /// gradInput: (batch, h·w·c), overwritten.
    /// </summary>
    void MaxPoolBackward(BufferSpan input, BufferSpan gradOutput, BufferSpan gradInput, int batch, Window2D window);

    /// <summary>
    /// Average pooling: the mean of the window's cells that lie inside the image (TensorFlow's
    /// 'same' semantics: padding is not counted). Sum in (ky, kx) order, then divided by the count.
    /// input: (batch, h·w·c); output: (batch, oh·ow·c).
    /// </summary>
    void AvgPoolForward(BufferSpan input, BufferSpan output, int batch, Window2D window);

    /// <summary>
    /// Average-pooling gradient: <c>gradInput[cell] = Σ gradOutput[window] / count(window)</c> over
    /// the windows containing the cell. gradOutput: (batch, oh·ow·c); gradInput: (batch, h·w·c), overwritten.
    /// </summary>
    void AvgPoolBackward(BufferSpan gradOutput, BufferSpan gradInput, int batch, Window2D window);

    /// <summary>
    /// Nearest-neighbour up-sampling: <c>output[b, y, x, ch] = input[b, ⌊y/scaleHeight⌋, ⌊x/scaleWidth⌋, ch]</c>.
    /// input: (batch, height·width·channels); output: (batch, height·scaleHeight · width·scaleWidth · channels).
    /// </summary>
    void UpSampleForward(BufferSpan input, BufferSpan output, int batch, int height, int width, int channels, int scaleHeight, int scaleWidth);

    /// <summary>
    /// Up-sampling gradient: each input cell receives the sum of its scaleHeight × scaleWidth block
    /// of <paramref name="gradOutput"/>, in (dy, dx) order. gradInput: (batch, height·width·channels), overwritten.
    /// </summary>
    void UpSampleBackward(BufferSpan gradOutput, BufferSpan gradInput, int batch, int height, int width, int channels, int scaleHeight, int scaleWidth);

    /// <summary>
    /// <c>result = a ⊙ b</c> element-wise; result may alias a or b. Dropout applies its mask
    /// (0 or 1/(1 − rate) per element) with it, forward and backward.
    /// </summary>
    void Multiply(BufferSpan a, BufferSpan b, BufferSpan result);
}
