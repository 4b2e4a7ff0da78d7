using ILGPU;
using ILGPU.Algorithms;

namespace DistTrain.Kernels.Backends.IlGpu;

/// <summary>
/// Loss and metric kernels: one thread per row, walking the row in order, writing the row's
/// loss (or hit) to <c>rowLoss[r]</c> (<c>rowHit[r]</c>). The host sums those in row order, so
/// the totals are deterministic. Shapes: logits, predictions, targets, gradients: (rows, cols).
/// </summary>
internal static class LossKernels
{
    /// <summary>
    /// Softmax cross-entropy from logits z with targets t, stable through m = max z and
    /// lse = log Σ e^(z−m): loss = Σ_j t_j·(lse − (z_j − m)); p_j = e^(z_j−m)/Σ;
    /// gradLogits_j = p_j·Σt − t_j.
    /// </summary>
    public static void SoftmaxCrossEntropyKernel(
        Index1D r, ArrayView<float> logits, ArrayView<float> targets, ArrayView<float> probabilities, ArrayView<float> gradLogits, ArrayView<float> rowLoss, int cols)
    {
        var start = r * cols;
        var max = logits[start];
        for (var j = 1; j < cols; j++)
        {
            max = XMath.Max(max, logits[start + j]);
        }

        var sum = 0f;
        for (var j = 0; j < cols; j++)
        {
            sum += XMath.Exp(logits[start + j] - max);
        }

        var logSum = XMath.Log(sum);
        var inverse = 1f / sum;
        var loss = 0f;
        var targetSum = 0f;
        for (var j = 0; j < cols; j++)
        {
            var t = targets[start + j];
            var shifted = logits[start + j] - max;
            loss += t * (logSum - shifted);
            targetSum += t;
            probabilities[start + j] = XMath.Exp(shifted) * inverse;
        }

        for (var j = 0; j < cols; j++)
        {
            gradLogits[start + j] = (probabilities[start + j] * targetSum) - targets[start + j];
        }

        rowLoss[r] = loss;
    }

    /// <summary>MSE per row: loss = Σ_j (p_j − t_j)² / cols; gradPredictions_j = 2(p_j − t_j)/cols.</summary>
    public static void MeanSquaredErrorKernel(
        Index1D r, ArrayView<float> predictions, ArrayView<float> targets, ArrayView<float> gradPredictions, ArrayView<float> rowLoss, int cols)
    {
        var start = r * cols;
        var scale = 2f / cols;
        var sum = 0f;
        for (var j = 0; j < cols; j++)
        {
            var d = predictions[start + j] - targets[start + j];
            sum += d * d;
            gradPredictions[start + j] = scale * d;
        }

        rowLoss[r] = sum / cols;
    }

    /// <summary>
    /// Binary cross-entropy from logits per row: loss = Σ_j [max(z,0) − z·t + log(1 + e^−|z|)] / cols;
    /// gradLogits_j = (σ(z_j) − t_j)/cols.
    /// </summary>
    public static void BinaryCrossEntropyKernel(
        Index1D r, ArrayView<float> logits, ArrayView<float> targets, ArrayView<float> gradLogits, ArrayView<float> rowLoss, int cols)
    {
        var start = r * cols;
        var inverseCols = 1f / cols;
        var sum = 0f;
        for (var j = 0; j < cols; j++)
        {
            var z = logits[start + j];
            var t = targets[start + j];
            sum += XMath.Max(z, 0f) - (z * t) + LogOnePlus(XMath.Exp(-XMath.Abs(z)));
            gradLogits[start + j] = (ActivationKernels.Sigmoid(z) - t) * inverseCols;
        }

        rowLoss[r] = sum / cols;
    }

    /// <summary>rowHit[r] = 1 when argmax(predictions row) = argmax(targets row), first index winning ties.</summary>
    public static void CountCorrectKernel(Index1D r, ArrayView<float> predictions, ArrayView<float> targets, ArrayView<int> rowHit, int cols)
    {
        var start = r * cols;
        rowHit[r] = ArgMax(predictions, start, cols) == ArgMax(targets, start, cols) ? 1 : 0;
    }

    /// <summary>
    /// rowHit[r] = 1 when the target class c = argmax(targets) is among the k largest
    /// predictions: fewer than k classes rank above it (p_j &gt; p_c, or p_j = p_c with j &lt; c).
    /// </summary>
    public static void CountTopKKernel(Index1D r, ArrayView<float> predictions, ArrayView<float> targets, ArrayView<int> rowHit, int cols, int k)
    {
        var start = r * cols;
        var target = ArgMax(targets, start, cols);
        var score = predictions[start + target];
        var above = 0;
        for (var j = 0; j < cols; j++)
        {
            var p = predictions[start + j];
            if (p > score || (p == score && j < target))
            {
                above++;
            }
        }

        rowHit[r] = above < k ? 1 : 0;
    }

    private static int ArgMax(ArrayView<float> x, int start, int cols)
    {
        var best = 0;
        var bestValue = x[start];
        for (var j = 1; j < cols; j++)
        {
            var value = x[start + j];
            if (value > bestValue)
            {
                best = j;
                bestValue = value;
            }
        }

        return best;
    }

    /// <summary>log(1 + u) accurate for small u: with w = 1 + u rounded, log(w)·u/(w − 1) cancels the rounding of w.</summary>
    private static float LogOnePlus(float u)
    {
        var w = 1f + u;
        return w == 1f ? u : XMath.Log(w) * u / (w - 1f);
    }
}
