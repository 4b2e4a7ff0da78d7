using System.Runtime.InteropServices;

namespace DistTrain.Bench;

/// <summary>
/// OpenBLAS's <c>cblas_sgemm</c>, loaded at run time (Debian: libopenblas0-pthread), as the
/// peer the CPU backend's GEMM is measured against.
/// </summary>
internal sealed unsafe class OpenBlas
{
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    private static readonly string[] Candidates =
    [
        "libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "libopenblas.so",
        "libopenblas.dylib",
        "libopenblas.dll",
    ];

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, void> _setThreads;

    private OpenBlas(nint library, string path)
    {
        Path = path;
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(library, "cblas_sgemm");
        _setThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(library, "openblas_set_num_threads");
    }

    /// <summary>The file the library was loaded from.</summary>
    public string Path { get; }

    /// <summary>Loads OpenBLAS, or returns null when no candidate loads.</summary>
    public static OpenBlas? TryLoad()
    {
        foreach (var candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                if (NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _) && NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out _))
                {
                    return new OpenBlas(handle, candidate);
                }
            }
        }

        return null;
    }

    /// <summary>Sets the number of threads OpenBLAS uses.</summary>
    public void SetThreads(int threads) => _setThreads(threads);

    /// <summary>Row-major C = alpha·op(A)·op(B) + beta·C with the same storage convention as the backend.</summary>
    public void Sgemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, float* b, float beta, float* c)
    {
        var lda = transposeA ? m : k;
        var ldb = transposeB ? k : n;
        _sgemm(RowMajor, transposeA ? Trans : NoTrans, transposeB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, n);
    }
}
