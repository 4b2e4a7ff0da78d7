namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>Settings of an <see cref="IlGpuBackend"/>.</summary>
public sealed class IlGpuBackendOptions
{
    /// <summary>Configuration section these options bind to.</summary>
    public const string SectionName = "DistTrain:IlGpu";

    /// <summary>
    /// Use the backend's own tiled GEMM kernel even where cuBLAS is available (default
    /// <see langword="true"/>).
    /// </summary>
    /// <remarks>
    /// The own kernel gives every output element one accumulator that runs over <c>k</c> in
    /// increasing order, whatever <c>m</c>, <c>n</c> or the tiling, as
    /// <see cref="IComputeBackend"/> requires: rows computed in any grouping (micro-shards,
    /// workers) give the same bits, so the distributed training step matches the local one bit
    /// for bit. cuBLAS is several times faster on large matrices, but picks its algorithm
    /// (tile sizes, split-K) from the shape, so an element's accumulation order, and hence its
    /// last bits, can change with <c>m</c> or <c>n</c>; it is still deterministic run to run on
    /// one GPU model and shape. Set this to <see langword="false"/> to trade the bit-exact
    /// shard invariance for speed on CUDA; other accelerators always use the own kernel.
    /// </remarks>
    public bool DeterministicGemm { get; init; } = true;

    /// <summary>
    /// Forces the GEMM kernel's group to T×T threads (T in 1, 2, 4, 8, 16) instead of choosing it
    /// per device and shape; for tests that check every group shape gives the same bits.
    /// </summary>
    internal int? GemmThreads { get; init; }
}
