using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tests.Backends;

/// <summary>GemmTree: the micro-shard tree sum of Aₗᵀ·Bₗ, against per-leaf GEMMs and pairwise adds.</summary>
public abstract partial class BackendContractTests
{
    /// <summary>(m, n, leafRows, leaves): odd edges, a leaf deeper than one K block (300 > 256), single leaves, the MLP's weight-gradient shape.</summary>
    private IEnumerable<(int M, int N, int LeafRows, int Leaves)> GemmTreeShapes() =>
    [
        (1, 1, 1, 1),
        (3, 5, 2, 2),
        (7, 17, 3, 4),
        (13, 33, 5, 8),
        (Scaled(67), Scaled(45), Scaled(25), 8),
        (Scaled(20), Scaled(19), Scaled(300), 2),
        (Scaled(784, 30), Scaled(512, 40), Scaled(25), 8),
        (9, 11, 7, 16),
        (Scaled(50), 20, Scaled(129), 1),
    ];

    [Fact]
    public void GemmTreeEqualsPerLeafGemmsAddedPairwiseBitForBit()
    {
        var random = new Random(34);
        foreach (var (m, n, leafRows, leaves) in GemmTreeShapes())
        {
            var a = RandomFloats(random, leaves * leafRows * m);
            var b = RandomFloats(random, leaves * leafRows * n);
            var c = Upload(Enumerable.Repeat(float.NaN, m * n).ToArray());
            Backend.GemmTree(m, n, leafRows, leaves, Upload(a), Upload(b), c);
            var what = $"{m}x{n}, {leaves} leaves of {leafRows} rows";
            AssertBitIdentical(PerLeafThenPairwise(m, n, leafRows, leaves, a, b), c.ToArray(), what);

            // And it is the product over all rows, up to rounding.
            int k = leaves * leafRows;
            var (expected, magnitude) = NaiveReference.Gemm(true, false, m, n, k, 1f, a, b, 0f, new float[m * n]);
            AssertGemmClose(expected, magnitude, c.ToArray(), k, what);
        }
    }

    [Fact]
    public void GemmTreeOverADeepKMatchesTheLeafByLeafSum()
    {
        // K = 4 × 2,000 rows: more than the CPU's packed whole-K path takes (it folds whole matrices then).
        var random = new Random(35);
        int m = Scaled(24, 7), n = Scaled(20, 5), leafRows = Scaled(2000, 40);
        var a = RandomFloats(random, 4 * leafRows * m);
        var b = RandomFloats(random, 4 * leafRows * n);
        var c = Zeros(m * n);
        Backend.GemmTree(m, n, leafRows, 4, Upload(a), Upload(b), c);
        AssertBitIdentical(PerLeafThenPairwise(m, n, leafRows, 4, a, b), c.ToArray(), "deep K");
    }

    [Fact]
    public void GemmTreeWithEmptyLeavesIsZeroAndRejectsBadArguments()
    {
        var c = Upload([float.NaN, 1f, 2f, 3f]);
        Backend.GemmTree(2, 2, 0, 4, Zeros(0), Zeros(0), c);
        Assert.Equal([0f, 0f, 0f, 0f], c.ToArray());

        Assert.ThrowsAny<ArgumentException>(() => Backend.GemmTree(2, 2, 1, 3, Zeros(6), Zeros(6), Zeros(4)));
        Assert.ThrowsAny<ArgumentException>(() => Backend.GemmTree(2, 2, 1, 0, Zeros(0), Zeros(0), Zeros(4)));
        Assert.ThrowsAny<ArgumentException>(() => Backend.GemmTree(2, 2, 2, 2, Zeros(7), Zeros(8), Zeros(4)));
        Assert.ThrowsAny<ArgumentException>(() => Backend.GemmTree(2, 2, 2, 2, Zeros(8), Zeros(8), Zeros(3)));
    }

    /// <summary>The definition: one GEMM per leaf, then ((P₀ + P₁) + (P₂ + P₃)) + … with Add, on this backend.</summary>
    private float[] PerLeafThenPairwise(int m, int n, int leafRows, int leaves, float[] a, float[] b)
    {
        var partials = new List<DeviceBuffer>();
        for (int leaf = 0; leaf < leaves; leaf++)
        {
            var p = Zeros(m * n);
            Backend.Gemm(true, false, m, n, leafRows, 1f, Upload(a[(leaf * leafRows * m)..((leaf + 1) * leafRows * m)]), Upload(b[(leaf * leafRows * n)..((leaf + 1) * leafRows * n)]), 0f, p);
            partials.Add(p);
        }

        while (partials.Count > 1)
        {
            var next = new List<DeviceBuffer>();
            for (int i = 0; i < partials.Count; i += 2)
            {
                Backend.Add(partials[i].All, partials[i + 1].All, partials[i].All);
                next.Add(partials[i]);
            }

            partials = next;
        }

        return partials[0].ToArray();
    }
}
