using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>The compiled <see cref="ImageKernels"/> of one accelerator, compiled on first use and shared like <see cref="KernelSet"/>.</summary>
internal sealed class ImageKernelSet
{
    private static readonly ConditionalWeakTable<Accelerator, ImageKernelSet> Sets = new();

    private readonly Accelerator _accelerator;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments>? _im2Col;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments>? _col2Im;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments, int>? _poolForward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowArguments>? _maxPoolBackward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments>? _avgPoolBackward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments>? _upSampleForward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments>? _upSampleBackward;
    private Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _multiply;

    private ImageKernelSet(Accelerator accelerator) => _accelerator = accelerator;

    public static ImageKernelSet For(Accelerator accelerator) => Sets.GetValue(accelerator, static a => new ImageKernelSet(a));

    public Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments> Im2Col => _im2Col ??= Load(ImageKernels.Im2ColKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments> Col2Im => _col2Im ??= Load(ImageKernels.Col2ImKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments, int> PoolForward => _poolForward ??=
        _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments, int>(ImageKernels.PoolForwardKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowArguments> MaxPoolBackward => _maxPoolBackward ??=
        _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowArguments>(ImageKernels.MaxPoolBackwardKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments> AvgPoolBackward => _avgPoolBackward ??= Load(ImageKernels.AvgPoolBackwardKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments> UpSampleForward => _upSampleForward ??= Load(ImageKernels.UpSampleForwardKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments> UpSampleBackward => _upSampleBackward ??= Load(ImageKernels.UpSampleBackwardKernel);

    public Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> Multiply => _multiply ??=
        _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ImageKernels.MultiplyKernel);

    private Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments> Load(Action<Index1D, ArrayView<float>, ArrayView<float>, WindowArguments> kernel) =>
        _accelerator.LoadAutoGroupedStreamKernel(kernel);
}
