using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>
/// Conv2D through im2col and GEMM. Shape legend: B rows (samples), P = oh·ow output pixels,
/// K = k·k·c patch size, F filters. input (B, h·w·c); columns (B·P, K); kernel (K, F) — the
/// <c>[k, k, c, F]</c> tensor read as a matrix; output (B·P, F), which is NHWC (B, oh, ow, F).
/// </summary>
/// <remarks>
/// Forward keeps the im2col matrix of its rows, so that <see cref="ParameterGradients"/> can
/// take each micro-shard's rows of it instead of packing them again. Every result is a pure
/// function of its own rows: im2col is a copy, and each GEMM's accumulation order depends only
/// on its k, so any grouping of rows gives the same bits.
/// </remarks>
public sealed class Conv2DLayer : Layer
{
    private readonly Window2D _window;
    private readonly LayerParameter[] _parameters;
    private DeviceBuffer? _columns;
    private DeviceBuffer? _gradColumns;
    private BufferSpan _packedInput;
    private int _packedRows;

    /// <summary>Creates the layer for the geometry <paramref name="window"/> (kernel = window).</summary>
    public Conv2DLayer(string name, Window2D window, int filters, ActivationKind activation, InitializerKind kernelInitializer = InitializerKind.GlorotUniform, Regularizer? kernelRegularizer = null)
        : base(name, [window.InputHeight, window.InputWidth, window.Channels], [window.OutputHeight, window.OutputWidth, filters])
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(filters);
        _window = window;
        Filters = filters;
        Activation = activation;
        _parameters =
        [
            new LayerParameter("kernel", [window.WindowHeight, window.WindowWidth, window.Channels, filters], kernelInitializer) { Regularizer = kernelRegularizer },
            new LayerParameter("bias", [filters], InitializerKind.Zeros),
        ];
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>The activation applied to the output.</summary>
    public ActivationKind Activation { get; }

    /// <summary>The convolution's geometry.</summary>
    public Window2D Window => _window;

    /// <inheritdoc />
    public override IReadOnlyList<LayerParameter> Parameters => _parameters;

    private int Pixels => _window.OutputPixels;

    private int Patch => _window.PatchSize;

    /// <summary>
    /// Most floats of the im2col buffer (default 16 Mi floats, 64 MiB); a batch whose matrix is
    /// larger is packed and multiplied in chunks of samples. Outputs and input gradients do not
    /// depend on the chunking (GEMM rows are independent); a micro-shard larger than a chunk sums
    /// its kernel gradient chunk by chunk, which depends only on the micro-shard size.
    /// </summary>
    internal int MaxColumnFloats { get; init; } = 16 << 20;

    /// <summary>Samples per im2col chunk.</summary>
    private int ChunkRows => Math.Max(1, MaxColumnFloats / (Pixels * Patch));

    /// <inheritdoc />
    public override void Allocate(IComputeBackend backend, int maxRows)
    {
        _columns?.Dispose();
        _gradColumns?.Dispose();
        _gradColumns = null;
        _columns = backend.Allocate(checked(Math.Min(maxRows, ChunkRows) * Pixels * Patch));
        _packedRows = 0;
    }

    /// <summary>columns = im2col(input); output = f(columns·kernel + bias), chunk by chunk of samples. input: (rows, h·w·c); output: (rows·P, F).</summary>
    public override void Forward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, int rows)
    {
        IComputeBackend backend = context.Backend;
        int chunk = ChunkRows;
        for (int start = 0; start < rows; start += chunk)
        {
            int n = Math.Min(chunk, rows - start);
            BufferSpan columns = Columns(backend, n);
            backend.Im2Col(input.Slice(start * InputSize, n * InputSize), columns, n, _window);
            backend.Gemm(false, false, n * Pixels, Filters, Patch, 1f, columns, Kernel(parameters), 0f, output.Slice(start * OutputSize, n * OutputSize));
        }

        int m = rows * Pixels;
        backend.AddBias(output, Bias(parameters), m, Filters);
        if (Activation != ActivationKind.Linear)
        {
            backend.ActivationForward(Activation, output, output, m, Filters);
        }

        // The packed matrix of a single chunk is kept for the kernel gradients.
        _packedInput = input;
        _packedRows = rows <= chunk ? rows : 0;
    }

    /// <summary>
    /// gradOutput ← f'(·) ⊙ gradOutput (dZ, kept for <see cref="ParameterGradients"/>);
    /// gradInput = col2im(dZ·kernelᵀ), overwritten, chunk by chunk. dZ: (rows·P, F); dColumns: (chunk·P, K).
    /// </summary>
    public override void Backward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, BufferSpan gradOutput, BufferSpan? gradInput, int rows)
    {
        IComputeBackend backend = context.Backend;
        if (Activation != ActivationKind.Linear)
        {
            backend.ActivationBackward(Activation, output, gradOutput, gradOutput, rows * Pixels, Filters);
        }

        if (gradInput is not { } gi)
        {
            return;
        }

        int chunk = ChunkRows;
        int needed = Math.Min(rows, chunk) * Pixels * Patch;
        if (_gradColumns is null || _gradColumns.Length < needed)
        {
            _gradColumns?.Dispose();
            _gradColumns = backend.Allocate(Math.Max(needed, _columns?.Length ?? 0));
        }

        for (int start = 0; start < rows; start += chunk)
        {
            int n = Math.Min(chunk, rows - start);
            BufferSpan gradColumns = _gradColumns.Slice(0, n * Pixels * Patch);
            backend.Gemm(false, true, n * Pixels, Patch, Filters, 1f, gradOutput.Slice(start * OutputSize, n * OutputSize), Kernel(parameters), 0f, gradColumns);
            backend.Col2Im(gradColumns, gi.Slice(start * InputSize, n * InputSize), n, _window);
        }
    }

    /// <summary>
    /// dKernel = columnsᵀ·dZ (K, F) and dBias = Σ dZ (F) over this micro-shard's rows·P pixels,
    /// overwritten. input: (rows, h·w·c); gradOutput = dZ: (rows·P, F). Uses the forward pass's
    /// packed rows when it kept them, else packs again (chunk by chunk, adding the chunks' products).
    /// </summary>
    public override void ParameterGradients(in LayerContext context, BufferSpan input, BufferSpan gradOutput, BufferSpan gradient, int rows)
    {
        IComputeBackend backend = context.Backend;
        BufferSpan kernel = Kernel(gradient);
        if (PackedColumnsOf(input, rows) is { } packed)
        {
            backend.Gemm(true, false, Patch, Filters, rows * Pixels, 1f, packed, gradOutput, 0f, kernel);
        }
        else
        {
            int chunk = ChunkRows;
            for (int start = 0; start < rows; start += chunk)
            {
                int n = Math.Min(chunk, rows - start);
                BufferSpan columns = Pack(backend, input.Slice(start * InputSize, n * InputSize), n);
                backend.Gemm(true, false, Patch, Filters, n * Pixels, 1f, columns, gradOutput.Slice(start * OutputSize, n * OutputSize), start == 0 ? 0f : 1f, kernel);
            }
        }

        backend.BiasGradient(gradOutput, Bias(gradient), rows * Pixels, Filters, accumulate: false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _columns?.Dispose();
        _gradColumns?.Dispose();
        _columns = _gradColumns = null;
        base.Dispose(disposing);
    }

    /// <summary>The rows of the last Forward's im2col matrix that belong to <paramref name="input"/>, if it is a row range of that Forward's input.</summary>
    private BufferSpan? PackedColumnsOf(BufferSpan input, int rows)
    {
        if (_packedRows == 0 || !ReferenceEquals(input.Buffer, _packedInput.Buffer) || input.Offset < _packedInput.Offset)
        {
            return null;
        }

        int delta = input.Offset - _packedInput.Offset;
        if (delta % InputSize != 0 || (delta / InputSize) + rows > _packedRows)
        {
            return null;
        }

        return _columns!.Slice(delta / InputSize * Pixels * Patch, rows * Pixels * Patch);
    }

    /// <summary>Packs <paramref name="input"/> afresh (the columns of the last Forward are then gone).</summary>
    private BufferSpan Pack(IComputeBackend backend, BufferSpan input, int rows)
    {
        BufferSpan columns = Columns(backend, rows);
        backend.Im2Col(input, columns, rows, _window);
        _packedRows = 0;
        return columns;
    }

    private BufferSpan Columns(IComputeBackend backend, int rows)
    {
        int needed = checked(rows * Pixels * Patch);
        if (_columns is null || _columns.Length < needed)
        {
            Allocate(backend, rows);
        }

        return _columns!.Slice(0, needed);
    }

    private BufferSpan Kernel(BufferSpan slice) => slice.Slice(0, Patch * Filters);

    private BufferSpan Bias(BufferSpan slice) => slice.Slice(Patch * Filters, Filters);
}
