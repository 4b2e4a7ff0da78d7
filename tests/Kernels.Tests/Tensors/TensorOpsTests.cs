using DistTrain.Kernels.Tensors;
using static DistTrain.Kernels.Tensors.Tensor;

namespace DistTrain.Kernels.Tests.Tensors;

/// <summary>The values the course prints, and TF's semantics where they are easy to get wrong.</summary>
public class TensorOpsTests
{
    [Fact]
    public void NormOfOnesIsTheCoursesValue()
    {
        Assert.Equal(96.99484f, Norm(Ones([4, 28, 28, 3])).ToScalar<float>(), 4);
        Assert.Equal(new[] { 28f, 28f }, Norm(Ones([2, 28]), 1, [1]).ToArray<float>());
    }

    [Fact]
    public void PrintsLikeTensorFlow()
    {
        Assert.Equal("tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)", From(new float[,] { { 1, 2 }, { 3, 4 } }).ToString());
        Assert.Equal("tf.Tensor([1 2 3], shape=(3,), dtype=int32)", From(1, 2, 3).ToString());
        Assert.Equal("tf.Tensor(2.5, shape=(), dtype=float32)", Scalar(2.5f).ToString());
        Assert.Equal("tf.Tensor([1.5  2.25], shape=(2,), dtype=float32)", From(1.5f, 2.25f).ToString());
        Assert.Equal("tf.Tensor([ True False], shape=(2,), dtype=bool)", From(true, false).ToString());
        Assert.Contains("...", Zeros([2000]).ToString());
        Assert.StartsWith("<tf.Variable 'w:0' shape=(2,) dtype=float32, numpy=[0. 0.]>", new Variable(Zeros([2]), name: "w").ToString());
    }

    [Fact]
    public void CreationHelpersGiveTensorFlowsValues()
    {
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, Range(5).ToArray<int>());
        Assert.Equal(new[] { 10, 7, 4, 1 }, Range(10, 0, -3).ToArray<int>());
        Assert.Equal(new[] { 0f, 0.25f, 0.5f, 0.75f, 1f }, Linspace(0, 1, 5).ToArray<float>());
        Assert.Equal(new[] { 0f, 1, 0, 0, 0, 0, 0, 0, 1 }, OneHot(From(1, 5, 2), 3).ToArray<float>());
        Assert.Equal(new[] { 1, -1, 2 }, Cast(From(1.9f, -1.9f, 2.5f), DType.Int32).ToArray<int>());
        Assert.Equal(new[] { true, false }, Cast(From(0.5f, 0f), DType.Bool).ToArray<bool>());
        var (gx, gy) = Meshgrid(From(1, 2, 3), From(10, 20));
        Assert.Equal(new[] { 2, 3 }, gx.Shape.ToArray());
        Assert.Equal(new[] { 1, 2, 3, 1, 2, 3 }, gx.ToArray<int>());
        Assert.Equal(new[] { 10, 10, 10, 20, 20, 20 }, gy.ToArray<int>());
        Assert.Equal(Tensor.Random.Normal([5], seed: 3).ToArray<float>(), Tensor.Random.Normal([5], seed: 3).ToArray<float>());
        Assert.True(Tensor.Random.TruncatedNormal([1000], seed: 4).ToArray<float>().All(v => Math.Abs(v) <= 2));
        var shuffled = Tensor.Random.Shuffle(Range(10), seed: 5).ToArray<int>();
        Assert.Equal(Enumerable.Range(0, 10), shuffled.Order());
        Assert.Equal(DType.Float64, From(new[,] { { 1.0 } }).DType);
        Assert.Equal(new[] { 2, 2 }, From(new[] { new[] { 1, 2 }, new[] { 3, 4 } }).Shape.ToArray());
    }

    [Fact]
    public void BroadcastingMatchesANaiveLoopAndNamesBothShapesWhenItFails()
    {
        var a = Tensor.Random.Normal([4, 1, 3], seed: 1);
        var b = Tensor.Random.Normal([5, 1], seed: 2);
        var sum = (a + b).ToArray<float>();
        Assert.Equal(new[] { 4, 5, 3 }, (a + b).Shape.ToArray());
        var av = a.ToArray<float>();
        var bv = b.ToArray<float>();
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                for (int k = 0; k < 3; k++)
                {
                    Assert.Equal(av[(i * 3) + k] + bv[j], sum[(((i * 5) + j) * 3) + k]);
                }
            }
        }

        var error = Assert.Throws<ArgumentException>(() => Ones([2, 3]) + Ones([4]));
        Assert.Contains("(2, 3)", error.Message);
        Assert.Contains("(4,)", error.Message);
        Assert.Throws<ArgumentException>(() => Ones([2]) + Ones([2], DType.Int32));
        Assert.Equal(DType.Int32, (Ones([2], DType.Int32) + 1).DType);
        Assert.Equal(new[] { 2.5, 3.5 }, (From(1.0, 2.0) + 1.5f).ToArray<double>());
    }

    [Fact]
    public void FloorDivisionAndModFollowPython()
    {
        Assert.Equal(new[] { -4, 3, -4 }, FloorDivide(From(-7, 7, 7), From(2, 2, -2)).ToArray<int>());
        Assert.Equal(new[] { 1, 1, -1 }, Mod(From(-7, 7, 7), From(2, 2, -2)).ToArray<int>());
        Assert.Equal(new[] { -4f, 1.5f }, FloorDivide(From(-7f, 3f), From(2f, 2f)).ToArray<float>()[..1].Append(Mod(From(3.5f), 2f).ToScalar<float>()).ToArray());
        Assert.Equal(new[] { 8, 1 }, Pow(From(2, 5), From(3, 0)).ToArray<int>());
    }

    [Fact]
    public void BatchedMatMulWithBroadcastLeadingDimensionsMatchesANaiveProduct()
    {
        var a = Tensor.Random.Normal([2, 1, 5, 7], seed: 1);
        var b = Tensor.Random.Normal([3, 7, 4], seed: 2);
        var c = MatMul(a, b);
        Assert.Equal(new[] { 2, 3, 5, 4 }, c.Shape.ToArray());
        var av = a.ToArray<float>();
        var bv = b.ToArray<float>();
        var cv = c.ToArray<float>();
        for (int p = 0; p < 2; p++)
        {
            for (int q = 0; q < 3; q++)
            {
                for (int i = 0; i < 5; i++)
                {
                    for (int j = 0; j < 4; j++)
                    {
                        double s = 0;
                        for (int k = 0; k < 7; k++)
                        {
                            s += av[(p * 35) + (i * 7) + k] * bv[(q * 28) + (k * 4) + j];
                        }

                        Assert.Equal(s, cv[(((p * 3) + q) * 20) + (i * 4) + j], 4);
                    }
                }
            }
        }

        Assert.Equal(MatMul(Cast(a, DType.Float64), Cast(b, DType.Float64)).ToArray<double>().Select(v => (float)v), cv, new ToleranceComparer(1e-4f));
        var error = Assert.Throws<ArgumentException>(() => MatMul(Ones([2, 3]), Ones([4, 2])));
        Assert.Contains("inner dimensions 3 and 4", error.Message);
    }

    [Fact]
    public void ReductionsAndArgMaxWorkOverAxes()
    {
        var x = From(new float[,] { { 1, 5, 3 }, { 4, 2, 6 } });
        Assert.Equal(new[] { 5f, 7, 9 }, ReduceSum(x, 0).ToArray<float>());
        Assert.Equal(new[] { 2, 1 }, ReduceSum(x, 1, keepDims: true).Shape.ToArray());
        Assert.Equal(3.5f, ReduceMean(x).ToScalar<float>());
        Assert.Equal(new[] { 5f, 6 }, ReduceMax(x, 1).ToArray<float>());
        Assert.Equal(new[] { 1f, 2, 3 }, ReduceMin(x, 0).ToArray<float>());
        Assert.Equal(new[] { 1L, 2 }, ArgMax(x, 1).ToArray<long>());
        Assert.Equal(new[] { 0L, 1, 0 }, ArgMin(x, 0).ToArray<long>());
        Assert.Equal(2, ReduceMean(From(1, 2, 4)).ToScalar<int>());
        var cube = Tensor.Random.Normal([3, 4, 5], seed: 7);
        var v = cube.ToArray<float>();
        var outer = ReduceSum(cube, [0, 2]).ToArray<float>();
        for (int j = 0; j < 4; j++)
        {
            double s = 0;
            for (int i = 0; i < 3; i++)
            {
                for (int k = 0; k < 5; k++)
                {
                    s += v[(i * 20) + (j * 5) + k];
                }
            }

            Assert.Equal(s, outer[j], 4);
        }
    }

    [Fact]
    public void IndexingFollowsNumPy()
    {
        var a = Reshape(Range(24), [2, 3, 4]);
        Assert.Equal(6, a[0, 1, 2].ToScalar<int>());
        Assert.Equal(23, a[-1, -1, -1].ToScalar<int>());
        Assert.Equal(new[] { 4, 5, 6, 7 }, a[0, 1].ToArray<int>());
        Assert.Equal(new[] { 3, 2, 1, 0 }, a[0, 0, TensorIndex.Slice(null, null, -1)].ToArray<int>());
        Assert.Equal(new[] { 3, 1 }, a[0, 0, TensorIndex.Slice(null, null, -2)].ToArray<int>());
        Assert.Equal(new[] { 2, 3 }, a[TensorIndex.Ellipsis, 1].Shape.ToArray());
        Assert.Equal(new[] { 13, 17, 21 }, a[1, .., 1].ToArray<int>());
        Assert.Equal(new[] { 17, 21 }, a[1, 1.., 1..2].ToArray<int>());
        Assert.Equal(new[] { 2, 1 }, a[1, 1.., 1..2].Shape.ToArray());
        Assert.Equal(new[] { 11, 9 }, a[0, -1, TensorIndex.Slice(-1, 0, -2)].ToArray<int>());
        Assert.Equal(new[] { 2, 1, 3, 4 }, a[.., TensorIndex.NewAxis].Shape.ToArray());
        Assert.Equal(new[] { 2, 3, 2 }, a[.., .., 1..^1].Shape.ToArray());
        Assert.Equal(0, a[.., 5..].Size);
        Assert.Throws<IndexOutOfRangeException>(() => a[2]);
    }

    [Fact]
    public void CourseExamplesOfSelectionGiveTheirValues()
    {
        Assert.Equal(new[] { 2f, 2, 3, 4, 5, 5 }, ClipByValue(From(1f, 2, 3, 4, 5, 6), 2, 5).ToArray<float>());
        var (values, indices) = TopK(From(new float[,] { { 2, 1, 3 }, { 2, 3, 3 } }), 2);
        Assert.Equal(new[] { 3f, 2, 3, 3 }, values.ToArray<float>());
        Assert.Equal(new[] { 2, 0, 1, 2 }, indices.ToArray<int>());
        var (u, idx) = Unique(From(4, 2, 2, 4, 3));
        Assert.Equal(new[] { 4, 2, 3 }, u.ToArray<int>());
        Assert.Equal(new[] { 0, 1, 1, 0, 2 }, idx.ToArray<int>());
        var scattered = ScatterNd(From(new[,] { { 4 }, { 3 }, { 1 }, { 7 } }), From(9, 10, 11, 12), [8]);
        Assert.Equal(new[] { 0, 11, 0, 10, 9, 0, 0, 12 }, scattered.ToArray<int>());
        Assert.Equal(new[] { 3, 5 }, Pad(Ones([1, 2]), [(1, 1), (1, 2)]).Shape.ToArray());
        Assert.Equal(new[] { 0f, 0, 0, 0, 1, 1 }, Pad(Ones([1, 2]), [(1, 1), (1, 2)])[0..2, 0..3].ToArray<float>());
        Assert.Equal(new[] { 1, 2, 1, 2, 3, 4, 3, 4 }, Tile(From(new[,] { { 1, 2 }, { 3, 4 } }), [1, 2]).ToArray<int>());
        Assert.Equal(new[] { 30, 10 }, Gather(From(10, 20, 30), From(2, 0)).ToArray<int>());
        Assert.Equal(new[] { 1, 3 }, BooleanMask(From(1, 2, 3), From(true, false, true)).ToArray<int>());
        Assert.Equal(new[] { 0L, 1, 1, 0 }, Where(From(new[,] { { false, true }, { true, false } })).ToArray<long>());
        Assert.Equal(new[] { 1, 20, 3 }, Where(From(true, false, true), From(1, 2, 3), From(10, 20, 30)).ToArray<int>());
        var parts = Split(Reshape(Range(10), [2, 5]), [2, 3], 1);
        Assert.Equal(new[] { 0, 1, 5, 6 }, parts[0].ToArray<int>());
        Assert.Equal(3, Split(Range(9), 3).Length);
        Assert.Equal(new[] { 4, 3, 2 }, Transpose(Zeros([2, 3, 4])).Shape.ToArray());
        Assert.Equal(new[] { 3, 2, 4 }, Transpose(Zeros([2, 3, 4]), [1, 0, 2]).Shape.ToArray());
        Assert.Equal(new[] { 0, 2, 4, 1, 3, 5 }, Transpose(Reshape(Range(6), [3, 2])).ToArray<int>());
        Assert.Equal(new[] { 2, 3, 4 }, Stack([Zeros([2, 4]), Zeros([2, 4]), Zeros([2, 4])], 1).Shape.ToArray());
        Assert.Equal(new[] { 3, 1, 2 }, Sort(From(3, 1, 2), descending: true).ToArray<int>()[..1].Concat(Sort(From(3, 1, 2)).ToArray<int>()[..2]).ToArray());
        Assert.Equal(new[] { 1, 2, 0 }, ArgSort(From(3, 1, 2)).ToArray<int>());
    }

    [Fact]
    public void ClipByGlobalNormMatchesTheParameterServersClipping()
    {
        var g1 = Tensor.Random.Normal([300], seed: 1);
        var g2 = Tensor.Random.Normal([20, 10], seed: 2);
        var (clipped, norm) = ClipByGlobalNorm([g1, g2], 1.0);
        var flat = g1.ToArray<float>().Concat(g2.ToArray<float>()).ToArray();
        using var backend = new DistTrain.Kernels.Backends.Cpu.CpuBackend(1);
        using var buffer = backend.Allocate(flat.Length);
        buffer.Upload(flat);
        var spec = new DistTrain.Kernels.Optim.OptimizerSpec(0.1f, ClipNorm: 1f);
        var decision = DistTrain.Kernels.Optim.Optimizer.Decide(spec, 0, backend.SumOfSquares(buffer), 1);
        Assert.True(decision.Clipped);
        Assert.Equal(decision.GradientNorm, norm, 12);
        var expected = flat.Select(v => v * decision.GradientScale).ToArray();
        Assert.Equal(expected, clipped[0].ToArray<float>().Concat(clipped[1].ToArray<float>()));
    }

    [Fact]
    public void VariablesAssignInPlaceAndEarlierReadsKeepTheirValues()
    {
        var v = new Variable(From(1f, 2f));
        var before = v * 1f;
        v.AssignSub(From(0.5f, 0.5f));
        Assert.Equal(new[] { 0.5f, 1.5f }, v.ToArray<float>());
        Assert.Equal(new[] { 1f, 2f }, before.ToArray<float>());
        v.Assign(3f);
        Assert.Equal(new[] { 3f, 3f }, v.ToArray<float>());
        Assert.Throws<ArgumentException>(() => v.Assign(Zeros([3])));
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(float obj) => 0;
    }
}
