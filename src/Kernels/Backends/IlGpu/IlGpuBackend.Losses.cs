using System.Buffers;
using ILGPU;
using ILGPU.Runtime;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>Losses and metrics: a kernel writes one value per row, the host adds them in row order.</summary>
public sealed partial class IlGpuBackend
{
    /// <inheritdoc />
    public double SoftmaxCrossEntropy(BufferSpan logits, BufferSpan targets, BufferSpan probabilities, BufferSpan gradLogits, int rows, int cols)
    {
        var zv = View(logits, nameof(logits));
        var tv = View(targets, nameof(targets));
        var pv = View(probabilities, nameof(probabilities));
        var gv = View(gradLogits, nameof(gradLogits));
        RequireMatrix(logits, nameof(logits), rows, cols);
        RequireMatrix(targets, nameof(targets), rows, cols);
        RequireMatrix(probabilities, nameof(probabilities), rows, cols);
        RequireMatrix(gradLogits, nameof(gradLogits), rows, cols);
        if (rows == 0 || cols == 0)
        {
            return 0;
        }

        var rowLoss = ScratchFloats(rows);
        _kernels.SoftmaxCrossEntropy(rows, zv, tv, pv, gv, rowLoss, cols);
        return SumInOrder(rowLoss);
    }

    /// <inheritdoc />
    public double MeanSquaredError(BufferSpan predictions, BufferSpan targets, BufferSpan gradPredictions, int rows, int cols)
    {
        var pv = View(predictions, nameof(predictions));
        var tv = View(targets, nameof(targets));
        var gv = View(gradPredictions, nameof(gradPredictions));
        RequireMatrix(predictions, nameof(predictions), rows, cols);
        RequireMatrix(targets, nameof(targets), rows, cols);
        RequireMatrix(gradPredictions, nameof(gradPredictions), rows, cols);
        if (rows == 0 || cols == 0)
        {
            return 0;
        }

        var rowLoss = ScratchFloats(rows);
        _kernels.MeanSquaredError(rows, pv, tv, gv, rowLoss, cols);
        return SumInOrder(rowLoss);
    }

    /// <inheritdoc />
    public double BinaryCrossEntropyWithLogits(BufferSpan logits, BufferSpan targets, BufferSpan gradLogits, int rows, int cols)
    {
        var zv = View(logits, nameof(logits));
        var tv = View(targets, nameof(targets));
        var gv = View(gradLogits, nameof(gradLogits));
        RequireMatrix(logits, nameof(logits), rows, cols);
        RequireMatrix(targets, nameof(targets), rows, cols);
        RequireMatrix(gradLogits, nameof(gradLogits), rows, cols);
        if (rows == 0 || cols == 0)
        {
            return 0;
        }

        var rowLoss = ScratchFloats(rows);
        _kernels.BinaryCrossEntropy(rows, zv, tv, gv, rowLoss, cols);
        return SumInOrder(rowLoss);
    }

    /// <inheritdoc />
    public int CountCorrect(BufferSpan predictions, BufferSpan targets, int rows, int cols)
    {
        var pv = View(predictions, nameof(predictions));
        var tv = View(targets, nameof(targets));
        RequireMatrix(predictions, nameof(predictions), rows, cols);
        RequireMatrix(targets, nameof(targets), rows, cols);
        if (rows == 0 || cols == 0)
        {
            return 0;
        }

        var hits = ScratchInts(rows);
        _kernels.CountCorrect(rows, pv, tv, hits, cols);
        return CountHits(hits);
    }

    /// <inheritdoc />
    public int CountTopK(BufferSpan predictions, BufferSpan targets, int rows, int cols, int k)
    {
        var pv = View(predictions, nameof(predictions));
        var tv = View(targets, nameof(targets));
        RequireMatrix(predictions, nameof(predictions), rows, cols);
        RequireMatrix(targets, nameof(targets), rows, cols);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (rows == 0 || cols == 0)
        {
            return 0;
        }

        var hits = ScratchInts(rows);
        _kernels.CountTopK(rows, pv, tv, hits, cols, k);
        return CountHits(hits);
    }

    /// <summary>Downloads per-row values and adds them in double, row 0 first.</summary>
    private static double SumInOrder(ArrayView<float> rowValues)
    {
        var length = (int)rowValues.Length;
        var host = ArrayPool<float>.Shared.Rent(length);
        try
        {
            rowValues.CopyToCPU(host.AsSpan(0, length));
            var sum = 0.0;
            for (var r = 0; r < length; r++)
            {
                sum += host[r];
            }

            return sum;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(host);
        }
    }

    private static int CountHits(ArrayView<int> rowHits)
    {
        var length = (int)rowHits.Length;
        var host = ArrayPool<int>.Shared.Rent(length);
        try
        {
            rowHits.CopyToCPU(host.AsSpan(0, length));
            var count = 0;
            for (var r = 0; r < length; r++)
            {
                count += host[r];
            }

            return count;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(host);
        }
    }
}
