namespace DistTrain.Kernels.Backends;

/// <summary>
/// A sliding window over images in NHWC layout (input <c>[b, h, w, c]</c>): the geometry of a
/// Conv2D (window = kernel) or a pooling layer (window = pool size). Output pixel (oy, ox)
/// covers input rows <c>oy·StrideHeight − PadTop + ky</c>, ky &lt; WindowHeight, and columns
/// <c>ox·StrideWidth − PadLeft + kx</c>, kx &lt; WindowWidth; cells outside the image are padding.
/// </summary>
public readonly record struct Window2D
{
    /// <summary>Creates the geometry and computes the output size and padding (see <see cref="PaddingKind"/>).</summary>
    public Window2D(int inputHeight, int inputWidth, int channels, int windowHeight, int windowWidth, int strideHeight, int strideWidth, PaddingKind padding)
    {
        Positive(inputHeight, nameof(inputHeight));
        Positive(inputWidth, nameof(inputWidth));
        Positive(channels, nameof(channels));
        Positive(windowHeight, nameof(windowHeight));
        Positive(windowWidth, nameof(windowWidth));
        Positive(strideHeight, nameof(strideHeight));
        Positive(strideWidth, nameof(strideWidth));
        if (!Enum.IsDefined(padding))
        {
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "Unknown padding.");
        }

        InputHeight = inputHeight;
        InputWidth = inputWidth;
        Channels = channels;
        WindowHeight = windowHeight;
        WindowWidth = windowWidth;
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        Padding = padding;
        (OutputHeight, PadTop) = Axis(inputHeight, windowHeight, strideHeight, padding, "height");
        (OutputWidth, PadLeft) = Axis(inputWidth, windowWidth, strideWidth, padding, "width");
        _ = checked(InputHeight * InputWidth * Channels);
        _ = checked(OutputHeight * OutputWidth * WindowHeight * WindowWidth * Channels);
    }

    /// <summary>A square window with equal strides.</summary>
    public static Window2D Square(int inputHeight, int inputWidth, int channels, int window, int stride, PaddingKind padding) =>
        new(inputHeight, inputWidth, channels, window, window, stride, stride, padding);

    /// <summary>Image height h.</summary>
    public int InputHeight { get; }

    /// <summary>Image width w.</summary>
    public int InputWidth { get; }

    /// <summary>Channels c (innermost axis).</summary>
    public int Channels { get; }

    /// <summary>Window (kernel or pool) height kh.</summary>
    public int WindowHeight { get; }

    /// <summary>Window width kw.</summary>
    public int WindowWidth { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideHeight { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideWidth { get; }

    /// <summary>Border handling.</summary>
    public PaddingKind Padding { get; }

    /// <summary>Output height.</summary>
    public int OutputHeight { get; }

    /// <summary>Output width.</summary>
    public int OutputWidth { get; }

    /// <summary>Padding rows before the first image row.</summary>
    public int PadTop { get; }

    /// <summary>Padding columns before the first image column.</summary>
    public int PadLeft { get; }

    /// <summary>Floats per input sample: h·w·c.</summary>
    public int InputSize => InputHeight * InputWidth * Channels;

    /// <summary>Output pixels per sample: oh·ow.</summary>
    public int OutputPixels => OutputHeight * OutputWidth;

    /// <summary>Floats per im2col row (one output pixel's patch): kh·kw·c, ordered (ky, kx, c) like the kernel's first three axes.</summary>
    public int PatchSize => WindowHeight * WindowWidth * Channels;

    /// <summary>Floats per pooled output sample (channels kept): oh·ow·c.</summary>
    public int PooledSize => OutputPixels * Channels;

    /// <inheritdoc />
    public override string ToString() =>
        $"{InputHeight}x{InputWidth}x{Channels} window {WindowHeight}x{WindowWidth} stride {StrideHeight}x{StrideWidth} {Padding} -> {OutputHeight}x{OutputWidth}";

    private static (int Output, int PadBefore) Axis(int input, int window, int stride, PaddingKind padding, string axis)
    {
        if (padding == PaddingKind.Valid)
        {
            if (window > input)
            {
                throw new ArgumentException($"A {window}-wide window does not fit the input {axis} {input} with 'valid' padding; use 'same' padding or a smaller window.");
            }

            return (((input - window) / stride) + 1, 0);
        }

        int output = (input + stride - 1) / stride;
        int total = Math.Max(((output - 1) * stride) + window - input, 0);
        return (output, total / 2);
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
    }
}
