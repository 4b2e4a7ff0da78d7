using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.IlGpu;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace DistTrain.Kernels.Tests.Backends.IlGpu;

/// <summary>
/// The backend contract on ILGPU's CPU accelerator, which runs the GPU kernels (shared memory,
/// barriers, groups) in emulation. It is slow, so shapes are scaled down.
/// </summary>
public sealed class IlGpuCpuBackendTests : BackendContractTests
{
    /// <summary>One accelerator for the whole class: its compiled kernels are reused by every test.</summary>
    private static readonly Lazy<Accelerator> SharedAccelerator = new(() =>
    {
        var context = Context.Create(builder => builder.CPU().EnableAlgorithms());
        return context.GetCPUDevice(0).CreateAccelerator(context);
    });

    protected override double SizeScale => 0.35;

    protected override IComputeBackend CreateBackend() => new IlGpuBackend(SharedAccelerator.Value);

    [Fact]
    public void TheSameGemmTwiceGivesTheSameBits()
    {
        var random = new Random(50);
        const int M = 37, N = 41, K = 53;
        var a = Upload(RandomFloats(random, M * K));
        var b = Upload(RandomFloats(random, N * K));
        var first = Zeros(M * N);
        var second = Zeros(M * N);
        Backend.Gemm(false, true, M, N, K, 1f, a, b, 0f, first);
        Backend.Gemm(false, true, M, N, K, 1f, a, b, 0f, second);
        AssertBitIdentical(first.ToArray(), second.ToArray(), "second run");
    }

    [Fact]
    public void BuffersOfAnotherBackendAreRejectedWithAClearMessage()
    {
        using var other = IlGpuBackend.CreateCpuEmulator();
        using var foreign = other.Allocate(4);
        var ex = Assert.ThrowsAny<ArgumentException>(() => Backend.Scale(foreign, 2f));
        Assert.Contains("not a buffer of this backend (ilgpu-cpu)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABufferMayBeDisposedAfterTheBackendThatOwnsItsAccelerator()
    {
        var backend = IlGpuBackend.CreateCpuEmulator();
        var buffer = backend.Allocate(8);
        backend.Dispose();
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => backend.Allocate(1));
    }

    [Fact]
    public void CopyBetweenOverlappingRangesOfOneBufferActsLikeACopyThroughATemporary()
    {
        float[] values = [0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f];
        var forward = Upload(values);
        Backend.Copy(forward.Slice(0, 6), forward.Slice(2, 6));
        Assert.Equal([0f, 1f, 0f, 1f, 2f, 3f, 4f, 5f], forward.ToArray());

        var backward = Upload(values);
        Backend.Copy(backward.Slice(2, 6), backward.Slice(0, 6));
        Assert.Equal([2f, 3f, 4f, 5f, 6f, 7f, 6f, 7f], backward.ToArray());
    }

    [Fact]
    public void TheEmulatorUsesTheOwnGemmKernelWithGroupsSmallEnoughForIt()
    {
        var backend = (IlGpuBackend)Backend;
        Assert.Equal("ilgpu-cpu", backend.Name);
        Assert.StartsWith("tiled kernel (4x4", backend.GemmImplementation, StringComparison.Ordinal);
    }
}

/// <summary>The runner the GPU bindings use to run the contract suite.</summary>
public sealed class ContractCasesTests
{
    [Fact]
    public void EveryFactAndEveryTheoryRowOfTheSuiteIsACase()
    {
        var names = Names(ContractCases.Names());
        Assert.Contains("LossesOfNoRowsAreZero", names);
        Assert.Contains("GemmMatchesTheNaiveReferenceForEveryTransposeCase(True, False)", names);
        Assert.Contains(names, name => name.StartsWith("ElementWiseActivationsMatchTheReferenceForEveryLength(", StringComparison.Ordinal));
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.DoesNotContain(Names(ContractCases.GemmNamesWithoutRowInvariance()), name => name.Contains("SameBits", StringComparison.Ordinal));
    }

    [Fact]
    public void ACaseRunsOnTheGivenBackendAndItsFailuresSurface()
    {
        ContractCases.Run("AddMayWriteIntoEitherInput", () => new Contract(() => IlGpuBackend.CreateCpuEmulator()));
        var ex = Assert.Throws<InvalidOperationException>(() => ContractCases.Run("AddMayWriteIntoEitherInput", () => new Contract(() => throw new InvalidOperationException("no device"))));
        Assert.Equal("no device", ex.Message);
    }

    private static List<string> Names(IEnumerable<object[]> rows) => [.. rows.Select(row => (string)row[0])];
}
