using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>
/// A fully connected layer, <c>output = f(input·kernel + bias)</c> (Keras Dense).
/// Shapes: input (B, In), kernel (In, Out), bias (Out), output (B, Out); the kernel comes
/// first in the layer's parameter slice, then the bias.
/// </summary>
public sealed class DenseLayer : Layer
{
    private readonly LayerParameter[] _parameters;

    /// <summary>Creates a Dense layer of <paramref name="units"/> outputs on a flat input of <paramref name="inputs"/> floats.</summary>
    public DenseLayer(string name, int inputs, int units, ActivationKind activation, InitializerKind kernelInitializer = InitializerKind.GlorotUniform, Regularizer? kernelRegularizer = null)
        : base(name, [inputs], [units])
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        Activation = activation;
        _parameters =
        [
            new LayerParameter("kernel", [inputs, units], kernelInitializer) { Regularizer = kernelRegularizer },
            new LayerParameter("bias", [units], InitializerKind.Zeros),
        ];
    }

    /// <summary>The activation applied to the output.</summary>
    public ActivationKind Activation { get; }

    /// <inheritdoc />
    public override IReadOnlyList<LayerParameter> Parameters => _parameters;

    private int In => InputSize;

    private int Out => OutputSize;

    /// <summary>output = f(input·kernel + bias). input: (rows, In), output: (rows, Out).</summary>
    public override void Forward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, int rows)
    {
        IComputeBackend backend = context.Backend;
        backend.Gemm(false, false, rows, Out, In, 1f, input, Kernel(parameters), 0f, output);
        backend.AddBias(output, Bias(parameters), rows, Out);
        if (Activation != ActivationKind.Linear)
        {
            backend.ActivationForward(Activation, output, output, rows, Out);
        }
    }

    /// <summary>
    /// gradOutput ← f'(·) ⊙ gradOutput (in place: the pre-activation gradient dZ, kept for
    /// <see cref="ParameterGradients"/>); gradInput = dZ·kernelᵀ (overwritten).
    /// gradOutput: (rows, Out), gradInput: (rows, In).
    /// </summary>
    public override void Backward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, BufferSpan gradOutput, BufferSpan? gradInput, int rows)
    {
        IComputeBackend backend = context.Backend;
        if (Activation != ActivationKind.Linear)
        {
            backend.ActivationBackward(Activation, output, gradOutput, gradOutput, rows, Out);
        }

        if (gradInput is { } gi)
        {
            backend.Gemm(false, true, rows, In, Out, 1f, gradOutput, Kernel(parameters), 0f, gi);
        }
    }

    /// <summary>
    /// dKernel = inputᵀ·dZ (In, Out) and dBias = Σ_rows dZ (Out), overwritten, summed over the
    /// <paramref name="rows"/> rows in order. input: (rows, In), gradOutput = dZ: (rows, Out).
    /// </summary>
    public override void ParameterGradients(in LayerContext context, BufferSpan input, BufferSpan gradOutput, BufferSpan gradient, int rows)
    {
        IComputeBackend backend = context.Backend;
        backend.Gemm(true, false, In, Out, rows, 1f, input, gradOutput, 0f, Kernel(gradient));
        backend.BiasGradient(gradOutput, Bias(gradient), rows, Out, accumulate: false);
    }

    /// <summary>
    /// The micro-shard tree sum of <see cref="ParameterGradients"/>: dKernel through
    /// <see cref="IComputeBackend.GemmTree"/> (each micro-shard's inputᵀ·dZ folded without
    /// writing the partial matrices out), dBias by the per-micro-shard column sums folded in the
    /// same order. The same bits as the default.
    /// </summary>
    public override void ParameterGradientTree(in LayerContext context, BufferSpan input, BufferSpan gradOutput, BufferSpan gradient, int leafRows, int leaves, PairwiseFold fold)
    {
        ArgumentNullException.ThrowIfNull(fold);
        IComputeBackend backend = context.Backend;
        backend.GemmTree(In, Out, leafRows, leaves, input, gradOutput, Kernel(gradient));
        int outputs = Out;
        fold.Run(Bias(gradient), leaves, (leaf, target) => backend.BiasGradient(gradOutput.Slice(leaf * leafRows * outputs, leafRows * outputs), target, leafRows, outputs, accumulate: false));
    }

    private BufferSpan Kernel(BufferSpan slice) => slice.Slice(0, In * Out);

    private BufferSpan Bias(BufferSpan slice) => slice.Slice(In * Out, Out);
}
