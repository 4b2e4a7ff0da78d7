using System.Numerics.Tensors;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>Losses and metrics. Shapes: logits, predictions, targets and gradients (rows, cols).</summary>
public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public double SoftmaxCrossEntropy(BufferSpan logits, BufferSpan targets, BufferSpan probabilities, BufferSpan gradLogits, int rows, int cols)
    {
        var count = Shape(rows, cols);
        var z = View(logits, count, nameof(logits));
        var t = View(targets, count, nameof(targets));
        var p = View(probabilities, count, nameof(probabilities));
        var g = View(gradLogits, count, nameof(gradLogits));
        var total = 0.0;
        for (var r = 0; r < rows && cols > 0; r++)
        {
            var zr = z.Slice(r * cols, cols);
            var tr = t.Slice(r * cols, cols);
            var pr = p.Slice(r * cols, cols);
            var gr = g.Slice(r * cols, cols);

            // s = z − max ≤ 0 keeps e^s in range; log softmax(z)_j = s_j − log Σ e^s.
            // gr holds s first, so logits may alias either output.
            TensorPrimitives.Subtract(zr, TensorPrimitives.Max(zr), gr);
            ApplyPadded(TensorPrimitives.Exp, gr, pr);
            var sum = TensorPrimitives.Sum(pr);
            var logSum = Math.Log(sum);
            var rowLoss = 0.0;
            for (var j = 0; j < cols; j++)
            {
                // Skipping t = 0 avoids 0·∞ when a logit is −∞.
                if (tr[j] != 0f)
                {
                    rowLoss += tr[j] * (logSum - gr[j]);
                }
            }

            total += rowLoss;
            TensorPrimitives.Divide(pr, sum, pr);

            // ∂loss/∂z = p·Σt − t
            TensorPrimitives.Multiply(pr, TensorPrimitives.Sum(tr), gr);
            TensorPrimitives.Subtract(gr, tr, gr);
        }

        return total;
    }

    /// <inheritdoc />
    public double MeanSquaredError(BufferSpan predictions, BufferSpan targets, BufferSpan gradPredictions, int rows, int cols)
    {
        var count = Shape(rows, cols);
        var p = View(predictions, count, nameof(predictions));
        var t = View(targets, count, nameof(targets));
        var g = View(gradPredictions, count, nameof(gradPredictions));
        if (count == 0)
        {
            return 0.0;
        }

        var total = 0.0;
        var gradScale = 2f / cols;
        for (var r = 0; r < rows; r++)
        {
            var gr = g.Slice(r * cols, cols);
            TensorPrimitives.Subtract(p.Slice(r * cols, cols), t.Slice(r * cols, cols), gr);
            total += SumOfSquaresInDouble(gr) / cols;
            TensorPrimitives.Multiply(gr, gradScale, gr);
        }

        return total;
    }

    /// <inheritdoc />
    public double BinaryCrossEntropyWithLogits(BufferSpan logits, BufferSpan targets, BufferSpan gradLogits, int rows, int cols)
    {
        var count = Shape(rows, cols);
        var z = View(logits, count, nameof(logits));
        var t = View(targets, count, nameof(targets));
        var g = View(gradLogits, count, nameof(gradLogits));
        var total = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var rowLoss = 0.0;
            for (var j = r * cols; j < (r + 1) * cols; j++)
            {
                double zj = z[j];
                double tj = t[j];

                // max(z, 0) − z·t + log(1 + e^−|z|): never exponentiates a positive number.
                rowLoss += Math.Max(zj, 0.0) - (zj * tj) + double.LogP1(Math.Exp(-Math.Abs(zj)));

                // σ(z) from whichever side keeps e^x ≤ 1.
                var e = Math.Exp(-Math.Abs(zj));
                var sigma = zj >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
                g[j] = (float)((sigma - tj) / cols);
            }

            total += rowLoss / cols;
        }

        return total;
    }

    /// <inheritdoc />
    public int CountCorrect(BufferSpan predictions, BufferSpan targets, int rows, int cols)
    {
        var count = Shape(rows, cols);
        var p = View(predictions, count, nameof(predictions));
        var t = View(targets, count, nameof(targets));
        var correct = 0;
        for (var r = 0; r < rows && cols > 0; r++)
        {
            if (ArgMax(p.Slice(r * cols, cols)) == ArgMax(t.Slice(r * cols, cols)))
            {
                correct++;
            }
        }

        return correct;
    }

    /// <inheritdoc />
    public int CountTopK(BufferSpan predictions, BufferSpan targets, int rows, int cols, int k)
    {
        var count = Shape(rows, cols);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var p = View(predictions, count, nameof(predictions));
        var t = View(targets, count, nameof(targets));
        var hits = 0;
        for (var r = 0; r < rows && cols > 0; r++)
        {
            var pr = p.Slice(r * cols, cols);
            var target = ArgMax(t.Slice(r * cols, cols));
            var score = pr[target];

            // The target's rank: classes scoring higher, or equal with a lower index, come first.
            var ahead = 0;
            for (var j = 0; j < cols && ahead < k; j++)
            {
                if (pr[j] > score || (pr[j] == score && j < target))
                {
                    ahead++;
                }
            }

            if (ahead < k)
            {
                hits++;
            }
        }

        return hits;
    }

    /// <summary>Index of the largest value; the first one wins ties.</summary>
    private static int ArgMax(ReadOnlySpan<float> x)
    {
        var best = 0;
        for (var j = 1; j < x.Length; j++)
        {
            if (x[j] > x[best])
            {
                best = j;
            }
        }

        return best;
    }
}
