using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>Finding ILGPU devices by <see cref="BackendKind"/>.</summary>
internal static class IlGpuDevices
{
    /// <summary>A context over every accelerator ILGPU supports here, with ILGPU.Algorithms' intrinsics (XMath).</summary>
    public static Context CreateContext() => Context.Create(builder => builder.Default().EnableAlgorithms());

    /// <summary>The devices of <paramref name="kind"/> (Cuda, OpenCl GPUs, or the IlGpuCpu emulator) in driver order.</summary>
    public static IReadOnlyList<Device> Of(Context context, BackendKind kind) => kind switch
    {
        BackendKind.Cuda => [.. context.Devices.Where(d => d.AcceleratorType == AcceleratorType.Cuda)],
        BackendKind.OpenCl => [.. context.Devices.Where(d => d is CLDevice { DeviceType: CLDeviceType.CL_DEVICE_TYPE_GPU })],
        BackendKind.IlGpuCpu => [.. context.Devices.Where(d => d.AcceleratorType == AcceleratorType.CPU)],
        _ => [],
    };

    /// <summary>True for an OpenCL view of an NVIDIA GPU, which CUDA already drives better.</summary>
    public static bool IsNvidiaOpenCl(Device device) => device is CLDevice { Vendor: CLDeviceVendor.Nvidia };
}
