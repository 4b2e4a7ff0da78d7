using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.Cuda.API;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>
/// Opens cuBLAS through ILGPU.Algorithms on whatever CUDA release the machine has.
/// </summary>
/// <remarks>
/// ILGPU.Algorithms 1.5.3 imports <c>libcublas.so.10/11/12</c> (<c>cublas64_10/11/12</c> on
/// Windows), while CUDA 13 ships <c>libcublas.so.13</c>. The functions it calls
/// (<c>cublasCreate_v2</c>, <c>cublasSgemm_v2</c>, stream and pointer mode) kept their
/// signatures, so a resolver on the assembly that declares the P/Invokes maps any cuBLAS
/// name to the newest library that loads.
/// </remarks>
internal static class CuBlasLoader
{
    private static readonly string[] LinuxNames = ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11"];
    private static readonly string[] WindowsNames = ["cublas64_13", "cublas64_12", "cublas64_11"];
    private static readonly Lock Gate = new();
    private static bool _resolverInstalled;
    private static IntPtr _library;

    /// <summary>
    /// A cuBLAS handle bound to the accelerator's default stream, in host pointer mode, or
    /// <see langword="null"/> with the reason when no usable library loads.
    /// </summary>
    public static CuBlas? TryCreate(CudaAccelerator accelerator, out string? failure)
    {
        InstallResolver();
        try
        {
            var blas = new CuBlas(accelerator, CuBlasAPIVersion.V12);
            blas.PointerMode = CuBlasPointerMode.Host;
            failure = null;
            return blas;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException or CuBlasException or TypeInitializationException or BadImageFormatException)
        {
            failure = $"cuBLAS could not be loaded ({exception.GetType().Name}: {exception.Message}); using the own GEMM kernel.";
            return null;
        }
    }

    private static void InstallResolver()
    {
        lock (Gate)
        {
            if (_resolverInstalled)
            {
                return;
            }

            _resolverInstalled = true;
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(CuBlas).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // Someone else installed a resolver for ILGPU.Algorithms; theirs wins.
            }
        }
    }

    /// <summary>The library names tried for any cuBLAS import, newest first.</summary>
    internal static IReadOnlyList<string> CandidateNames => OperatingSystem.IsWindows() ? WindowsNames : LinuxNames;

    /// <summary>The resolver: a handle for cuBLAS names when one of <see cref="CandidateNames"/> loads, else zero (default probing).</summary>
    internal static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var isCuBlas = libraryName.StartsWith("libcublas", StringComparison.Ordinal) || libraryName.StartsWith("cublas64", StringComparison.Ordinal);
        if (!isCuBlas)
        {
            return IntPtr.Zero;
        }

        lock (Gate)
        {
            if (_library != IntPtr.Zero)
            {
                return _library;
            }

            foreach (var name in CandidateNames)
            {
                if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle))
                {
                    _library = handle;
                    return handle;
                }
            }
        }

        // Zero lets the runtime try the requested name itself (and fail with its own message).
        return IntPtr.Zero;
    }
}
