using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// The managed SIMD compute backend: TensorPrimitives for element-wise work and
/// reductions, a packed, cache-blocked, multi-threaded SGEMM (<see cref="Sgemm"/>).
/// Every operation is deterministic for any <see cref="MaxThreads"/>.
/// </summary>
public sealed partial class CpuBackend : IComputeBackend
{
    /// <summary>Floats per block of the long element-wise passes (<see cref="ForEachBlock"/>): fixed, since block sums fix the bits of <see cref="SumOfSquares"/>.</summary>
    private const int VectorBlock = 1 << 16;

    /// <summary>
    /// Floats per block of the element-wise passes that may run on several threads (momentum
    /// update, bias, activations): small enough to spread a 200 × 512 activation over the cores,
    /// large enough that a block outweighs handing it to a thread. Only element-wise or row-wise
    /// work uses it, so its value never changes a result.
    /// </summary>
    private const int ElementBlock = 1 << 14;

    private readonly Sgemm _sgemm;
    private bool _disposed;

    /// <summary>
    /// Creates the backend. GEMM tiles run on the calling thread and <c>maxThreads − 1</c>
    /// dedicated threads that spin briefly after each call and then block: faster than
    /// <c>Parallel.For</c> on the thread pool for the back-to-back GEMMs of a training step
    /// (docs/PERFORMANCE.md).
    /// </summary>
    /// <param name="maxThreads">Most threads one operation uses; default <see cref="Environment.ProcessorCount"/>.</param>
    public CpuBackend(int? maxThreads = null)
        : this(maxThreads, GemmThreading.Workers)
    {
    }

    /// <summary>Creates the backend with a choice of GEMM threading (for benchmarks).</summary>
    internal CpuBackend(int? maxThreads, GemmThreading threading)
    {
        var threads = maxThreads ?? Environment.ProcessorCount;
        if (threads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxThreads), threads, "The CPU backend needs at least one thread.");
        }

        MaxThreads = threads;
        _sgemm = new Sgemm(threads, threading: threading);
    }

    /// <inheritdoc />
    public string Name => "cpu";

    /// <summary>Most threads one operation uses.</summary>
    public int MaxThreads { get; }

    /// <inheritdoc />
    public DeviceBuffer Allocate(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new CpuBuffer(length);
    }

    /// <inheritdoc />
    public void Fill(BufferSpan x, float value) => View(x, nameof(x)).Fill(value);

    /// <inheritdoc />
    public void Copy(BufferSpan source, BufferSpan destination)
    {
        if (source.Length != destination.Length)
        {
            throw new ArgumentException($"Copy needs spans of equal length; source has {source.Length} floats, destination {destination.Length}.", nameof(destination));
        }

        View(source, nameof(source)).CopyTo(View(destination, nameof(destination)));
    }

    /// <inheritdoc />
    public void AddBias(BufferSpan x, BufferSpan bias, int rows, int cols)
    {
        View(x, Shape(rows, cols), nameof(x));
        View(bias, cols, nameof(bias));
        ForEachRowBlock(rows, cols, (first, count) =>
        {
            var values = View(x, Shape(rows, cols), nameof(x));
            var b = View(bias, cols, nameof(bias));
            for (var r = first; r < first + count; r++)
            {
                var row = values.Slice(r * cols, cols);
                TensorPrimitives.Add(row, b, row);
            }
        });
    }

    /// <inheritdoc />
    public void BiasGradient(BufferSpan gradOutput, BufferSpan gradBias, int rows, int cols, bool accumulate)
    {
        var g = View(gradOutput, Shape(rows, cols), nameof(gradOutput));
        var sum = View(gradBias, cols, nameof(gradBias));
        if (!accumulate)
        {
            sum.Clear();
        }

        // Column sums, rows added one after another: the order depends only on the row index.
        for (var r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(sum, g.Slice(r * cols, cols), sum);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Long vectors are summed in fixed blocks of <see cref="VectorBlock"/> floats, block sums
    /// added in block order, so the result is the same for any thread count; the blocks run in
    /// parallel.
    /// </remarks>
    public double SumOfSquares(BufferSpan x)
    {
        var values = View(x, nameof(x));
        int blocks = (x.Length + VectorBlock - 1) / VectorBlock;
        if (blocks <= 1)
        {
            return SumOfSquaresInDouble(values);
        }

        var sums = new double[blocks];
        ForEachBlock(x.Length, VectorBlock, (block, start, length) => sums[block] = SumOfSquaresInDouble(View(x.Slice(start, length), nameof(x))));
        double total = 0;
        foreach (double sum in sums)
        {
            total += sum;
        }

        return total;
    }

    /// <inheritdoc />
    public void Scale(BufferSpan x, float alpha)
    {
        var values = View(x, nameof(x));
        TensorPrimitives.Multiply(values, alpha, values);
    }

    /// <inheritdoc />
    public void Axpy(float alpha, BufferSpan x, BufferSpan y)
    {
        SameLength(x, y, nameof(y));
        var target = View(y, nameof(y));
        TensorPrimitives.MultiplyAdd(View(x, nameof(x)), alpha, target, target);
    }

    /// <inheritdoc />
    public void Add(BufferSpan a, BufferSpan b, BufferSpan result)
    {
        SameLength(a, b, nameof(b));
        SameLength(a, result, nameof(result));
        TensorPrimitives.Add(View(a, nameof(a)), View(b, nameof(b)), View(result, nameof(result)));
    }

    /// <inheritdoc />
    public void MomentumSgd(BufferSpan weights, BufferSpan gradient, BufferSpan velocity, SgdStep step)
    {
        SameLength(weights, gradient, nameof(gradient));
        SameLength(weights, velocity, nameof(velocity));
        View(weights, nameof(weights));
        View(gradient, nameof(gradient));
        View(velocity, nameof(velocity));

        // Element-wise, so blocks may run on any thread: the same bits. Smaller blocks than the
        // sums' (which fix Σg²'s bits) balance the threads better.
        ForEachBlock(weights.Length, ElementBlock, (_, start, length) =>
            MomentumSgdUpdate(View(weights.Slice(start, length), nameof(weights)), View(gradient.Slice(start, length), nameof(gradient)), View(velocity.Slice(start, length), nameof(velocity)), step));
    }

    /// <summary>
    /// Runs <paramref name="body"/>(block, start, length) over consecutive blocks of
    /// <paramref name="blockSize"/> elements (a multiple of every vector width) of a vector of
    /// <paramref name="length"/>: on this thread for one block, else on the GEMM's threads
    /// (<see cref="Sgemm.ParallelFor"/>), which spin between the calls of a step. Memory-bound
    /// passes over the whole parameter vector (2 MB for the MNIST MLP) gain from a second core.
    /// </summary>
    private void ForEachBlock(int length, int blockSize, Action<int, int, int> body)
    {
        int blocks = (length + blockSize - 1) / blockSize;
        if (blocks <= 1 || MaxThreads == 1)
        {
            for (int b = 0; b < Math.Max(blocks, 1); b++)
            {
                body(b, b * blockSize, Math.Min(blockSize, length - (b * blockSize)));
            }

            return;
        }

        ForEachRange(blocks, b => body(b, b * blockSize, Math.Min(blockSize, length - (b * blockSize))));
    }

    /// <summary>
    /// Runs <paramref name="body"/> for blocks [0, <paramref name="blocks"/>) as one contiguous
    /// range of blocks per thread (the caller's first), not block by block: consecutive passes
    /// over the same vector then touch the same part on the same core. On a machine whose two
    /// cores share no cache (measured here: a 490 ns round trip between them) a block handed to
    /// the other core costs a transfer of every cache line it touches.
    /// </summary>
    private void ForEachRange(int blocks, Action<int> body)
    {
        int threads = Math.Min(MaxThreads, blocks);
        _sgemm.ParallelFor(threads, t =>
        {
            for (int b = blocks * t / threads; b < blocks * (t + 1) / threads; b++)
            {
                body(b);
            }
        });
    }

    /// <summary>
    /// Runs <paramref name="body"/>(firstRow, rowCount) over fixed blocks of whole rows of a
    /// (rows, cols) matrix, about <see cref="ElementBlock"/> floats each: on the GEMM's threads
    /// when there are several blocks and threads, else one block after another here. The
    /// blocks depend only on the shape, never on the thread count, so a row-wise or
    /// element-wise pass gives the same bits on any number of threads.
    /// </summary>
    private void ForEachRowBlock(int rows, int cols, Action<int, int> body)
    {
        int rowsPerBlock = Math.Max(1, ElementBlock / Math.Max(cols, 1));
        int blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
        if (blocks <= 1)
        {
            body(0, rows);
            return;
        }

        if (MaxThreads == 1)
        {
            for (int b = 0; b < blocks; b++)
            {
                body(b * rowsPerBlock, Math.Min(rowsPerBlock, rows - (b * rowsPerBlock)));
            }

            return;
        }

        ForEachRange(blocks, b => body(b * rowsPerBlock, Math.Min(rowsPerBlock, rows - (b * rowsPerBlock))));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _sgemm.Dispose();
            _treeFold?.Dispose();
        }
    }

    /// <summary>Σ x² in double: squares of floats are exact in double; four vector accumulators in a fixed order.</summary>
    internal static double SumOfSquaresInDouble(ReadOnlySpan<float> x)
    {
        var acc0 = Vector256<double>.Zero;
        var acc1 = Vector256<double>.Zero;
        var i = 0;
        for (; i <= x.Length - 8; i += 8)
        {
            var v = Vector256.Create(x.Slice(i, 8));
            var (lo, hi) = Vector256.Widen(v);
            acc0 += lo * lo;
            acc1 += hi * hi;
        }

        var sum = Vector256.Sum(acc0 + acc1);
        for (; i < x.Length; i++)
        {
            sum += (double)x[i] * x[i];
        }

        return sum;
    }

    /// <summary>
    /// PyTorch-form momentum SGD, element by element with separate multiplies and adds (no
    /// FMA) so that the vector body and the scalar tail give the same bits.
    /// </summary>
    private static void MomentumSgdUpdate(Span<float> w, ReadOnlySpan<float> g, Span<float> v, SgdStep step)
    {
        var lr = step.LearningRate;
        var mu = step.Momentum;
        var wd = step.WeightDecay;
        var scale = step.GradientScale;
        var nesterov = step.Nesterov;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var lrV = Vector256.Create(lr);
            var muV = Vector256.Create(mu);
            var wdV = Vector256.Create(wd);
            var scaleV = Vector256.Create(scale);
            for (; i <= w.Length - 8; i += 8)
            {
                var wi = Vector256.Create(w.Slice(i, 8));
                var gi = (scaleV * Vector256.Create(g.Slice(i, 8))) + (wdV * wi);
                var vi = (muV * Vector256.Create(v.Slice(i, 8))) + gi;
                var update = nesterov ? gi + (muV * vi) : vi;
                vi.CopyTo(v.Slice(i, 8));
                (wi - (lrV * update)).CopyTo(w.Slice(i, 8));
            }
        }

        for (; i < w.Length; i++)
        {
            var gi = (scale * g[i]) + (wd * w[i]);
            var vi = (mu * v[i]) + gi;
            var update = nesterov ? gi + (mu * vi) : vi;
            v[i] = vi;
            w[i] -= lr * update;
        }
    }

    /// <summary>The span's floats, checking that it belongs to this backend.</summary>
    private static Span<float> View(BufferSpan span, string name) => View(span, span.Length, name);

    /// <summary>The first <paramref name="needed"/> floats of the span, checking ownership and size.</summary>
    private static Span<float> View(BufferSpan span, int needed, string name)
    {
        if (span.Buffer is not CpuBuffer buffer)
        {
            throw new ArgumentException(
                span.Buffer is null
                    ? $"{name} is an empty BufferSpan with no buffer."
                    : $"{name} lives in a {span.Buffer.GetType().Name}, not in a buffer allocated by the CPU backend.",
                name);
        }

        if (needed > span.Length)
        {
            throw new ArgumentException($"{name} holds {span.Length} floats but the shape needs {needed}.", name);
        }

        return buffer.AsSpan(span.Offset, needed);
    }

    /// <summary>rows × cols, checking both are non-negative and the product fits an int.</summary>
    private static int Shape(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        var count = (long)rows * cols;
        if (count > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"A {rows} × {cols} matrix has more than int.MaxValue elements.");
        }

        return (int)count;
    }

    private static void SameLength(BufferSpan first, BufferSpan other, string name)
    {
        if (first.Length != other.Length)
        {
            throw new ArgumentException($"{name} has {other.Length} floats but must match the first operand's {first.Length}.", name);
        }
    }
}
