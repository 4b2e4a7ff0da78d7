using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Tensors;
using DistTrain.Kernels.Tests.Backends.IlGpu;
using static DistTrain.Kernels.Tensors.Tensor;

namespace DistTrain.Kernels.Tests.Tensors;

/// <summary><c>tensor.To(device)</c>: MatMul (and its gradient) on an ILGPU backend agree with the host engine.</summary>
public abstract class TensorDeviceTests
{
    protected abstract BackendKind Kind { get; }

    protected void MatMulAndItsGradientMatchTheHost()
    {
        using var backend = BackendFactory.Create(Kind);
        var device = TensorDevice.FromBackend(backend);
        var a = Tensor.Random.Normal([3, 17, 9], seed: 1);
        var b = Tensor.Random.Normal([9, 5], seed: 2);
        var onDevice = a.To(device);
        Assert.Same(device, onDevice.Device);

        using var tape = new GradientTape();
        tape.Watch(onDevice);
        var c = MatMul(onDevice, b);
        Assert.Same(device, c.Device);
        var grad = tape.Gradient(ReduceSum(c * c), onDevice)!;

        using var hostTape = new GradientTape();
        hostTape.Watch(a);
        var hostC = MatMul(a, b);
        var hostGrad = hostTape.Gradient(ReduceSum(hostC * hostC), a)!;
        AssertClose(hostC.ToArray<float>(), c.ToArray<float>());
        AssertClose(hostGrad.ToArray<float>(), grad.ToArray<float>());
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * Math.Max(1, Math.Abs(expected[i])), $"{i}: {expected[i]} vs {actual[i]}");
        }
    }
}

public sealed class TensorIlGpuCpuDeviceTests : TensorDeviceTests
{
    protected override BackendKind Kind => BackendKind.IlGpuCpu;

    [Fact]
    public void MatMulOnTheIlGpuCpuAcceleratorMatchesTheHost() => MatMulAndItsGradientMatchTheHost();
}

public sealed class TensorCudaDeviceTests : TensorDeviceTests
{
    protected override BackendKind Kind => BackendKind.Cuda;

    [DeviceFact(BackendKind.Cuda)]
    public void MatMulOnCudaMatchesTheHost() => MatMulAndItsGradientMatchTheHost();
}
