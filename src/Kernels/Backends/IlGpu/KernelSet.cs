using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>
/// The compiled kernels of one accelerator. Each is compiled on first use and kept, and the
/// set is shared by every backend on that accelerator (compiling is the slow part).
/// </summary>
internal sealed class KernelSet
{
    private static readonly ConditionalWeakTable<Accelerator, KernelSet> Sets = new();

    private readonly Accelerator _accelerator;

    private KernelSet(Accelerator accelerator) => _accelerator = accelerator;

    public static KernelSet For(Accelerator accelerator) => Sets.GetValue(accelerator, static a => new KernelSet(a));

    private Action<Index1D, ArrayView<float>, float>? _fill;
    private Action<Index1D, ArrayView<float>, ArrayView<float>>? _copy;
    private Action<Index1D, ArrayView<float>, float>? _scale;
    private Action<Index1D, float, ArrayView<float>, ArrayView<float>>? _axpy;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _add;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int>? _addBias;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>? _biasGradient;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdArguments>? _momentumSgd;
    private Action<Index1D, ArrayView<float>, ArrayView<double>, int, int>? _sumOfSquares;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int>? _activationForward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _activationBackward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, int>? _softmaxForward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _softmaxBackward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _softmaxCrossEntropy;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _meanSquaredError;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _binaryCrossEntropy;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int>? _countCorrect;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int>? _countTopK;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArguments>? _gemm;

    // Loading races only to compile a kernel twice; the delegates are interchangeable.
    public Action<Index1D, ArrayView<float>, float> Fill => _fill ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.FillKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>> Copy => _copy ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.CopyKernel);

    public Action<Index1D, ArrayView<float>, float> Scale => _scale ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(ElementwiseKernels.ScaleKernel);

    public Action<Index1D, float, ArrayView<float>, ArrayView<float>> Axpy => _axpy ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.AxpyKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> Add => _add ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.AddKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> AddBias => _addBias ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ElementwiseKernels.AddBiasKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int, int, int> BiasGradient => _biasGradient ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int>(ElementwiseKernels.BiasGradientKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdArguments> MomentumSgd => _momentumSgd ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdArguments>(ElementwiseKernels.MomentumSgdKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<double>, int, int> SumOfSquares => _sumOfSquares ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>, int, int>(ElementwiseKernels.SumOfSquaresKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> ActivationForward => _activationForward ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ActivationKernels.ActivationForwardKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> ActivationBackward => _activationBackward ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ActivationKernels.ActivationBackwardKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, int> SoftmaxForward => _softmaxForward ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(ActivationKernels.SoftmaxForwardKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> SoftmaxBackward => _softmaxBackward ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ActivationKernels.SoftmaxBackwardKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> SoftmaxCrossEntropy => _softmaxCrossEntropy ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(LossKernels.SoftmaxCrossEntropyKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> MeanSquaredError => _meanSquaredError ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(LossKernels.MeanSquaredErrorKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> BinaryCrossEntropy => _binaryCrossEntropy ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(LossKernels.BinaryCrossEntropyKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int> CountCorrect => _countCorrect ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int>(LossKernels.CountCorrectKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int> CountTopK => _countTopK ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, int, int>(LossKernels.CountTopKKernel);

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArguments> Gemm => _gemm ??= _accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArguments>(GemmKernels.GemmKernel);
}
