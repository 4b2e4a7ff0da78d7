using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tensors.Layers;

/// <summary>
/// Stochastic gradient descent on variables with the trainer's update rule (<see cref="SgdStep"/>,
/// used by <see cref="Optim.Optimizer"/>): <c>g' = g + λ·w; v = μ·v + g'; w −= lr·(nesterov ? g' + μ·v : v)</c>,
/// after optional global-norm clipping (<see cref="Tensor.ClipByGlobalNorm"/>). With μ = 0 it is
/// the plain step <c>w.AssignSub(lr·g)</c>.
/// </summary>
public sealed class Sgd(double learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0, double? clipNorm = null)
{
    private readonly Dictionary<Variable, Tensor> _velocity = new(ReferenceEqualityComparer.Instance);

    /// <summary>The learning rate (may be changed between steps).</summary>
    public double LearningRate { get; set; } = learningRate;

    /// <summary>Steps applied so far.</summary>
    public long Iterations { get; private set; }

    /// <summary>Applies one step; a null gradient leaves its variable unchanged (as Keras skips it).</summary>
    public void ApplyGradients(IReadOnlyList<Tensor?> gradients, IReadOnlyList<Variable> variables)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(variables);
        if (gradients.Count != variables.Count)
        {
            throw new ArgumentException($"ApplyGradients: {gradients.Count} gradients for {variables.Count} variables.");
        }

        var present = Enumerable.Range(0, gradients.Count).Where(i => gradients[i] is not null).ToArray();
        var grads = present.Select(i => gradients[i]!).ToArray();
        if (clipNorm is { } clip)
        {
            grads = Tensor.ClipByGlobalNorm(grads, clip).Clipped;
        }

        for (int j = 0; j < present.Length; j++)
        {
            var w = variables[present[j]];
            var g = Tensor.StopGradient(grads[j]);
            if (weightDecay != 0)
            {
                g += Tensor.StopGradient(w) * weightDecay;
            }

            var lr = Tensor.Cast(Tensor.Scalar(LearningRate), w.DType);
            if (momentum == 0)
            {
                w.AssignSub(lr * g);
                continue;
            }

            var mu = Tensor.Cast(Tensor.Scalar(momentum), w.DType);
            var v = _velocity.TryGetValue(w, out var old) ? (mu * old) + g : g;
            _velocity[w] = v;
            w.AssignSub(lr * (nesterov ? g + (mu * v) : v));
        }

        Iterations++;
    }
}

/// <summary>Loss functions on tensors, averaged over the batch (Keras' default reduction).</summary>
public static class Losses
{
    /// <summary><c>mean((yTrue − yPred)²)</c> over all elements.</summary>
    public static Tensor MeanSquaredError(Tensor yTrue, Tensor yPred) => Tensor.ReduceMean(Tensor.Square(yTrue - yPred));

    /// <summary>Categorical cross-entropy from logits and one-hot (or soft) labels, numerically stable; mean over the batch.</summary>
    public static Tensor SoftmaxCrossEntropy(Tensor labels, Tensor logits) =>
        Tensor.ReduceMean(-Tensor.ReduceSum(labels * Tensor.LogSoftmax(logits), -1));
}
