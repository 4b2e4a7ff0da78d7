using System.Runtime.InteropServices;
using DistTrain.Kernels.Backends.IlGpu;

namespace DistTrain.Kernels.Tests.Backends.IlGpu;

public sealed class CuBlasLoaderTests
{
    [Fact]
    public void CuBlasImportsTryTheNewestLibraryFirstIncludingCuda13()
    {
        var names = CuBlasLoader.CandidateNames;
        var expectedFirst = OperatingSystem.IsWindows() ? "cublas64_13" : "libcublas.so.13";
        Assert.Equal(expectedFirst, names[0]);
        Assert.Equal(3, names.Count);
    }

    [Fact]
    public void OtherLibrariesAreLeftToTheDefaultProbing()
    {
        var assembly = typeof(ILGPU.Runtime.Cuda.CuBlas).Assembly;
        Assert.Equal(IntPtr.Zero, CuBlasLoader.Resolve("libcufft.so.11", assembly, DllImportSearchPath.SafeDirectories));
    }

    [Fact]
    public void ACuBlasImportResolvesToALoadedLibraryExactlyWhenOneIsInstalled()
    {
        var assembly = typeof(ILGPU.Runtime.Cuda.CuBlas).Assembly;
        var installed = CuBlasLoader.CandidateNames.Any(name =>
        {
            if (!NativeLibrary.TryLoad(name, assembly, null, out var handle))
            {
                return false;
            }

            NativeLibrary.Free(handle);
            return true;
        });
        var resolved = CuBlasLoader.Resolve("libcublas.so.12", assembly, null);
        Assert.Equal(installed, resolved != IntPtr.Zero);
    }
}
