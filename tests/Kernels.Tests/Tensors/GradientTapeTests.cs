using DistTrain.Kernels.Tensors;
using static DistTrain.Kernels.Tensors.Tensor;
using static DistTrain.Kernels.Tests.Tensors.GradientCheck;

namespace DistTrain.Kernels.Tests.Tensors;

public class GradientTapeTests
{
    [Fact]
    public void BroadcastingArithmeticGradientsMatchFiniteDifferences()
    {
        var a = GradientCheck.Random([2, 3], 1);
        var b = GradientCheck.Random([3], 2, 0.5, 2);
        var c = GradientCheck.Random([2, 1], 3, 0.5, 2);
        Check(x => x[0] + x[1], a, b);
        Check(x => x[0] - x[1], a, c);
        Check(x => x[0] * x[1], a, b);
        Check(x => x[0] / x[1], a, c);
        Check(x => Maximum(x[0], x[1]), a, b);
        Check(x => Minimum(x[0], x[1]), a, c);
        Check(x => Pow(x[0], x[1]), GradientCheck.Random([2, 3], 4, 0.5, 2), b);
        Check(x => -x[0] * 3.0 + 1.0, a);
    }

    [Fact]
    public void UnaryAndActivationGradientsMatchFiniteDifferences()
    {
        var a = GradientCheck.Random([3, 4], 5);
        var positive = GradientCheck.Random([3, 4], 6, 0.5, 2);
        Check(x => Sqrt(x[0]), positive);
        Check(x => Log(x[0]), positive);
        Check(x => Exp(x[0]), a);
        Check(x => Abs(x[0]), a);
        Check(x => Square(x[0]), a);
        Check(x => Tanh(x[0]), a);
        Check(x => Sigmoid(x[0]), a);
        Check(x => Relu(x[0]), a);
        Check(x => LeakyRelu(x[0]), a);
        Check(x => Softmax(x[0]), a);
        Check(x => Softmax(x[0], 0), a);
        Check(x => LogSoftmax(x[0]), a);
    }

    [Fact]
    public void CastBetweenFloatTypesPassesTheGradientAndIntegerCastsStopIt()
    {
        var x = From(1.5, -2.5);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var viaFloat = ReduceSum(Cast(x, DType.Float32) * 3f);
        var viaInt = ReduceSum(Cast(Cast(x, DType.Int32), DType.Float64));
        var g = tape.Gradient(viaFloat, x)!;
        Assert.Equal(DType.Float64, g.DType);
        Assert.Equal(new[] { 3.0, 3.0 }, g.ToArray<double>());
        Assert.Null(tape.Gradient(viaInt, x));
    }

    [Fact]
    public void ReductionAndNormGradientsMatchFiniteDifferences()
    {
        var a = GradientCheck.Random([2, 3, 4], 8);
        Check(x => ReduceSum(x[0]), a);
        Check(x => ReduceSum(x[0], [0, 2]), a);
        Check(x => ReduceMean(x[0], 1, keepDims: true), a);
        Check(x => ReduceMax(x[0], 2), a);
        Check(x => ReduceMin(x[0], [0, 1]), a);
        Check(x => Norm(x[0]), a);
        Check(x => Norm(x[0], 1, [1]), a);
        Check(x => Norm(x[0], double.PositiveInfinity, [2]), a);
        Check(x => ClipByNorm(x[0], 0.5), a);
        Check(x => ClipByValue(x[0], -0.5, 0.5), a);
    }

    [Fact]
    public void MatMulGradientsMatchFiniteDifferencesForEveryTransposeAndBroadcastBatch()
    {
        var a = GradientCheck.Random([2, 3, 4], 9);
        var b = GradientCheck.Random([4, 5], 10);
        Check(x => MatMul(x[0], x[1]), a, b);
        Check(x => MatMul(x[0], x[1], transposeA: true), GradientCheck.Random([2, 4, 3], 11), GradientCheck.Random([1, 4, 5], 12));
        Check(x => MatMul(x[0], x[1], transposeB: true), GradientCheck.Random([3, 4], 13), GradientCheck.Random([2, 5, 4], 14));
        Check(x => MatMul(x[0], x[1], true, true), GradientCheck.Random([4, 3], 15), GradientCheck.Random([5, 4], 16));
    }

    [Fact]
    public void ShapeSliceAndGatherGradientsMatchFiniteDifferences()
    {
        var a = GradientCheck.Random([3, 4], 17);
        Check(x => Reshape(x[0], [-1]), a);
        Check(x => Transpose(x[0]), a);
        Check(x => ExpandDims(x[0], 1) * Squeeze(ExpandDims(x[0], 0)), a);
        Check(x => BroadcastTo(x[0], [2, 3, 4]), a);
        Check(x => x[0][1.., TensorIndex.Slice(null, null, -2)], a);
        Check(x => x[0][-1, TensorIndex.Ellipsis, TensorIndex.NewAxis], a);
        Check(x => Gather(x[0], From(2, 0, 2), 0), a);
        Check(x => Gather(x[0], From(new[,] { { 3, 1 } }), 1), a);
        Check(x => GatherNd(x[0], From(new[,] { { 0, 1 }, { 2, 3 }, { 0, 1 } })), a);
        Check(x => ScatterNd(From(new[,] { { 1 }, { 1 }, { 0 } }), x[0], [4, 4]), GradientCheck.Random([3, 4], 18));
        Check(x => BooleanMask(x[0], Greater(From(1, -1, 2), 0)), a);
        Check(x => Where(Greater(x[0], 0), x[0] * 2.0, x[1]), a, GradientCheck.Random([4], 19));
        Check(x => Tile(x[0], [2, 1]), a);
        Check(x => Pad(x[0], [(1, 0), (2, 1)], 5), a);
        Check(x => Concat([x[0], x[1]], 0), a, GradientCheck.Random([1, 4], 20));
        Check(x => Stack([x[0], x[0] * 2.0], 1), a);
        Check(x => Unstack(x[0], 1)[2] * Split(x[0], [1, -1, 2], 1)[0][.., 0], a);
        Check(x => Sort(x[0], descending: true), a);
        Check(x => TopK(x[0], 2).Values, a);
    }

    [Fact]
    public void UnconnectedSourceGetsNullAndVariablesAreWatchedAutomatically()
    {
        var w = new Variable(From(2.0, 3.0));
        var frozen = new Variable(From(1.0, 1.0), trainable: false);
        var unrelated = From(5.0);
        using var tape = new GradientTape(persistent: true);
        tape.Watch(unrelated);
        var y = ReduceSum(w * w * frozen);
        var grads = tape.Gradient(y, [w, frozen, unrelated]);
        Assert.Equal(new[] { 4.0, 6.0 }, grads[0]!.ToArray<double>());
        Assert.Null(grads[1]);
        Assert.Null(grads[2]);
    }

    [Fact]
    public void NonPersistentTapeRefusesASecondGradient()
    {
        var x = From(3.0);
        using var tape = new GradientTape();
        tape.Watch(x);
        var y = x * x;
        Assert.Equal(6.0, tape.Gradient(y, x)!.ToScalar<double>());
        var error = Assert.Throws<InvalidOperationException>(() => tape.Gradient(y, x));
        Assert.Contains("persistent", error.Message);
    }

    [Fact]
    public void NestedTapesGiveSecondDerivatives()
    {
        var x = From(2.0);
        using var outer = new GradientTape();
        outer.Watch(x);
        Tensor dy;
        using (var inner = new GradientTape())
        {
            inner.Watch(x);
            var y = x * x * x + Sin2(x);
            dy = inner.Gradient(y, x)!;
        }

        var d2y = outer.Gradient(dy, x)!;
        Assert.Equal((3 * 4.0) + (2 * Math.Exp(2 * 2.0)), dy.ToScalar<double>(), 9);
        Assert.Equal((6 * 2.0) + (4 * Math.Exp(2 * 2.0)), d2y.ToScalar<double>(), 9);

        static Tensor Sin2(Tensor t) => Exp(t * 2.0);
    }

    [Fact]
    public void Float32MatMulGradientThroughTheGemmMatchesAFloat64Reference()
    {
        var a = Tensor.Random.Normal([64, 48], seed: 1);
        var b = Tensor.Random.Normal([48, 32], seed: 2);
        using var tape = new GradientTape();
        tape.Watch(a, b);
        var y = ReduceSum(Tanh(MatMul(a, b)));
        var g = tape.Gradient(y, [a, b]);
        var a64 = Cast(a, DType.Float64);
        var b64 = Cast(b, DType.Float64);
        using var tape64 = new GradientTape();
        tape64.Watch(a64, b64);
        var g64 = tape64.Gradient(ReduceSum(Tanh(MatMul(a64, b64))), [a64, b64]);
        for (int i = 0; i < 2; i++)
        {
            var got = g[i]!.ToArray<float>();
            var want = g64[i]!.ToArray<double>();
            for (int e = 0; e < got.Length; e++)
            {
                Assert.True(Math.Abs(got[e] - want[e]) < 1e-3 * Math.Max(1, Math.Abs(want[e])), $"{i}/{e}: {got[e]} vs {want[e]}");
            }
        }
    }
}
