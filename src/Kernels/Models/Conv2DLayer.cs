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

    /// <inheritdoc />
    public override void Allocate(IComputeBackend backend, int maxRows)
    {
        _columns?.Dispose();
        _gradColumns?.Dispose();
        _gradColumns = null;
        _columns = backend.Allocate(checked(maxRows * Pixels * Patch));
        _packedRows = 0;
    }

    /// <summary>columns = im2col(input); output = f(columns·kernel + bias). input: (rows, h·w·c); output: (rows·P, F).</summary>
    public override void Forward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, int rows)
    {
        IComputeBackend backend = context.Backend;
        int m = rows * Pixels;
        BufferSpan columns = Columns(backend, rows);
        backend.Im2Col(input, columns, rows, _window);
        backend.Gemm(false, false, m, Filters, Patch, 1f, columns, Kernel(parameters), 0f, output);
        backend.AddBias(output, Bias(parameters), m, Filters);
        if (Activation != ActivationKind.Linear)
        {
            backend.ActivationForward(Activation, output, output, m, Filters);
        }

        _packedInput = input;
        _packedRows = rows;
    }

    /// <summary>
    /// gradOutput ← f'(·) ⊙ gradOutput (dZ, kept for <see cref="ParameterGradients"/>);
    /// gradInput = col2im(dZ·kernelᵀ), overwritten. dZ: (rows·P, F); dColumns: (rows·P, K).
    /// </summary>
    public override void Backward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, BufferSpan gradOutput, BufferSpan? gradInput, int rows)
    {
        IComputeBackend backend = context.Backend;
        int m = rows * Pixels;
        if (Activation != ActivationKind.Linear)
        {
            backend.ActivationBackward(Activation, output, gradOutput, gradOutput, m, Filters);
        }

        if (gradInput is { } gi)
        {
            if (_gradColumns is null || _gradColumns.Length < m * Patch)
            {
                _gradColumns?.Dispose();
                _gradColumns = backend.Allocate(Math.Max(m * Patch, _columns?.Length ?? 0));
            }

            BufferSpan gradColumns = _gradColumns.Slice(0, m * Patch);
            backend.Gemm(false, true, m, Patch, Filters, 1f, gradOutput, Kernel(parameters), 0f, gradColumns);
            backend.Col2Im(gradColumns, gi, rows, _window);
        }
    }

    /// <summary>
    /// dKernel = columnsᵀ·dZ (K, F) and dBias = Σ dZ (F) over this micro-shard's rows·P pixels,
    /// overwritten. input: (rows, h·w·c); gradOutput = dZ: (rows·P, F).
    /// </summary>
    public override void ParameterGradients(in LayerContext context, BufferSpan input, BufferSpan gradOutput, BufferSpan gradient, int rows)
    {
        IComputeBackend backend = context.Backend;
        int m = rows * Pixels;
        BufferSpan columns = PackedColumnsOf(input, rows) ?? Pack(backend, input, rows);
        backend.Gemm(true, false, Patch, Filters, m, 1f, columns, gradOutput, 0f, Kernel(gradient));
        backend.BiasGradient(gradOutput, Bias(gradient), m, Filters, accumulate: false);
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
