namespace DistTrain.Kernels.Models;

/// <summary>The training loss of a model. The cross-entropies take logits from the last layer.</summary>
public enum LossKind
{
    /// <summary>Categorical cross-entropy from logits, fused with softmax; targets one-hot (or distributions).</summary>
    SoftmaxCrossEntropy,

    /// <summary>Mean squared error over the outputs (Keras <c>mse</c>); for regression.</summary>
    MeanSquaredError,

    /// <summary>Binary cross-entropy from logits, fused with sigmoid; targets in [0, 1].</summary>
    BinaryCrossEntropy,
}
