using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tensors;

/// <summary>Matrix products: <c>MatMul</c> with batched, broadcast leading dimensions, through the packed SGEMM for float32.</summary>
public partial class Tensor
{
    /// <summary>
    /// <c>op(a)·op(b)</c> over the last two dimensions: a (..., M, K), b (..., K, N) → (..., M, N),
    /// leading (batch) dimensions broadcast. float32 runs the CPU backend's SGEMM (or the device's
    /// GEMM); float64 and integers a row-wise loop.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank < 2 || b.Rank < 2)
        {
            throw new ArgumentException($"MatMul needs tensors of rank ≥ 2, not shapes {a.Shape} and {b.Shape} (ExpandDims a vector first).");
        }

        if (a.DType != b.DType)
        {
            throw new ArgumentException($"MatMul: dtypes {a.DType.Name()} {a.Shape} and {b.DType.Name()} {b.Shape} differ.");
        }

        int m = transposeA ? a.Shape[-1] : a.Shape[-2];
        int ka = transposeA ? a.Shape[-2] : a.Shape[-1];
        int kb = transposeB ? b.Shape[-1] : b.Shape[-2];
        int n = transposeB ? b.Shape[-2] : b.Shape[-1];
        if (ka != kb)
        {
            throw new ArgumentException($"MatMul: shapes {a.Shape} and {b.Shape} have inner dimensions {ka} and {kb}{(transposeA || transposeB ? " (after the transposes)" : string.Empty)}.");
        }

        var batchA = new TensorShape(a.Shape.Dims[..^2].ToArray());
        var batchB = new TensorShape(b.Shape.Dims[..^2].ToArray());
        var batch = Strided.BroadcastShape(batchA, batchB, "MatMul (batch dimensions)");
        var outShape = new TensorShape([.. batch.Dims, m, n]);
        Tensor r = a.DType switch
        {
            DType.Float32 => MatMulFloat(a, b, transposeA, transposeB, m, n, ka, batchA, batchB, batch, outShape),
            DType.Float64 or DType.Int32 or DType.Int64 => MatMulLoop(a, b, transposeA, transposeB, m, n, ka, batchA, batchB, batch, outShape),
            _ => throw new ArgumentException("MatMul is not defined for bool tensors."),
        };

        Record(r, a, b, (g, need) =>
        {
            // C = op(A)·op(B); each case is TF's MatMul gradient, summed over broadcast batch dimensions.
            Tensor? ga = null, gb = null;
            if (need[0])
            {
                ga = (transposeA, transposeB) switch
                {
                    (false, false) => MatMul(g, b, false, true),
                    (false, true) => MatMul(g, b),
                    (true, false) => MatMul(b, g, false, true),
                    _ => MatMul(b, g, true, true),
                };
                ga = SumToShape(ga, a.Shape);
            }

            if (need[1])
            {
                gb = (transposeA, transposeB) switch
                {
                    (false, false) => MatMul(a, g, true, false),
                    (false, true) => MatMul(g, a, true, false),
                    (true, false) => MatMul(a, g),
                    _ => MatMul(g, a, true, true),
                };
                gb = SumToShape(gb, b.Shape);
            }

            return [ga, gb];
        });
        return r;
    }

    /// <summary>The matrix product (<see cref="MatMul(Tensor, Tensor, bool, bool)"/>); C# has no <c>@</c>.</summary>
    public Tensor MatMul(Tensor other) => MatMul(this, other);

    private static unsafe Tensor MatMulFloat(Tensor a, Tensor b, bool ta, bool tb, int m, int n, int k, TensorShape batchA, TensorShape batchB, TensorShape batch, TensorShape outShape)
    {
        var device = a.Device.IsCpu ? b.Device : a.Device;
        var result = new float[outShape.Size];
        var av = a.Values<float>();
        var bv = b.Values<float>();
        if (!device.IsCpu)
        {
            return MatMulOnDevice(device, av, bv, ta, tb, m, n, k, batchA, batchB, batch, outShape);
        }

        var engine = TensorDevice.Cpu.CpuBackend;
        fixed (float* pa = av)
        fixed (float* pb = bv)
        fixed (float* pc = result)
        {
            if (batchB.Size == 1 && !ta && batch == batchA)
            {
                // b is one matrix shared by every batch: (B·M, K)·(K, N) as a single GEMM.
                engine.GemmHost(false, tb, batch.Size * m, n, k, pa, pb, pc);
            }
            else
            {
                var (offA, offB) = BatchOffsets(batchA, batchB, batch);
                for (int i = 0; i < batch.Size; i++)
                {
                    engine.GemmHost(ta, tb, m, n, k, pa + ((long)offA[i] * m * k), pb + ((long)offB[i] * k * n), pc + ((long)i * m * n));
                }
            }
        }

        return new Tensor(result, outShape, DType.Float32, device);
    }

    private static Tensor MatMulOnDevice(TensorDevice device, float[] av, float[] bv, bool ta, bool tb, int m, int n, int k, TensorShape batchA, TensorShape batchB, TensorShape batch, TensorShape outShape)
    {
        var backend = device.Backend;
        using var da = backend.Allocate(av.Length);
        using var db = backend.Allocate(bv.Length);
        using var dc = backend.Allocate(outShape.Size);
        da.Upload(av);
        db.Upload(bv);
        var (offA, offB) = BatchOffsets(batchA, batchB, batch);
        for (int i = 0; i < batch.Size; i++)
        {
            backend.Gemm(ta, tb, m, n, k, 1f, da.Slice(offA[i] * m * k, m * k), db.Slice(offB[i] * k * n, k * n), 0f, dc.Slice(i * m * n, m * n));
        }

        return new Tensor(dc.ToArray(), outShape, DType.Float32, device);
    }

    /// <summary>For each output batch index, the matrix index in a and in b (broadcast).</summary>
    private static (int[] A, int[] B) BatchOffsets(TensorShape batchA, TensorShape batchB, TensorShape batch)
    {
        var ia = new Tensor(Enumerable.Range(0, batchA.Size).ToArray(), batchA, DType.Int32);
        var ib = new Tensor(Enumerable.Range(0, batchB.Size).ToArray(), batchB, DType.Int32);
        return (BroadcastTo(ia, batch).Values<int>(), BroadcastTo(ib, batch).Values<int>());
    }

    private static Tensor MatMulLoop(Tensor a, Tensor b, bool ta, bool tb, int m, int n, int k, TensorShape batchA, TensorShape batchB, TensorShape batch, TensorShape outShape)
    {
        // Materialise the transposes, then out[i, :] += a[i, p]·b[p, :] row by row.
        var a2 = ta ? CastNoTape(SwapLast(a), DType.Float64) : CastNoTape(a, DType.Float64);
        var b2 = tb ? CastNoTape(SwapLast(b), DType.Float64) : CastNoTape(b, DType.Float64);
        var av = a2.Values<double>();
        var bv = b2.Values<double>();
        var c = new double[outShape.Size];
        var (offA, offB) = BatchOffsets(batchA, batchB, batch);
        for (int t = 0; t < batch.Size; t++)
        {
            int baseA = offA[t] * m * k, baseB = offB[t] * k * n, baseC = t * m * n;
            for (int i = 0; i < m; i++)
            {
                var row = c.AsSpan(baseC + (i * n), n);
                for (int p = 0; p < k; p++)
                {
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(bv.AsSpan(baseB + (p * n), n), av[baseA + (i * k) + p], row, row);
                }
            }
        }

        return CastNoTape(Wrap(c, outShape), a.DType);
    }

    private static Tensor SwapLast(Tensor x)
    {
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        var strides = x.Shape.Strides();
        return StridedView(x, 0, perm.Select(p => x.Shape.Dims[p]).ToArray(), perm.Select(p => strides[p]).ToArray());
    }

    /// <summary>A copy of this tensor whose operations run on <paramref name="device"/>.</summary>
    public Tensor To(TensorDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return ReferenceEquals(device, Device) ? this : new Tensor(Data, Shape, DType, device);
    }
}
