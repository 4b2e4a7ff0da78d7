namespace DistTrain.Kernels.Backends;

/// <summary>Which compute backend <see cref="BackendFactory"/> creates.</summary>
public enum BackendKind
{
    /// <summary>The fastest present: a CUDA GPU, else an OpenCL GPU, else the managed CPU backend.</summary>
    Auto,

    /// <summary>The managed SIMD CPU backend.</summary>
    Cpu,

    /// <summary>ILGPU on an NVIDIA GPU through CUDA.</summary>
    Cuda,

    /// <summary>ILGPU on an OpenCL GPU.</summary>
    OpenCl,

    /// <summary>
    /// ILGPU's CPU accelerator: an emulator of the GPU kernels (about 0.25 GFLOP/s), for tests
    /// and CI only. <see cref="Auto"/> never picks it.
    /// </summary>
    IlGpuCpu,
}
