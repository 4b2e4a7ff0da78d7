namespace DistTrain.Kernels.Models;

/// <summary>
/// A Keras kernel regulariser: the penalty <c>L1·Σ|w| + L2·Σw²</c> over a layer's kernel is
/// added to the loss, and its gradient <c>L1·sign(w) + 2·L2·w</c> to the kernel's gradient
/// (<c>l1</c>, <c>l2</c> and <c>l1_l2</c> are the cases with one or both set).
/// </summary>
/// <remarks>
/// Convention: the model's loss and gradients are SUMS over the samples of a step and the
/// parameter server divides them by the global batch B. So that the penalty comes out once per
/// step after that division, as in Keras, each micro-shard of n samples adds
/// <c>n·penalty</c> to its loss sum and <c>n·∇penalty</c> to its gradient sum: the micro-shards
/// of a step add up to <c>B·penalty</c>, and <c>/B</c> leaves the penalty itself. Evaluation
/// reports the mean loss plus the penalty, like Keras' <c>evaluate</c>. This is distinct from
/// the optimiser's weight decay, which the server applies to every parameter.
/// </remarks>
/// <param name="L1">Coefficient of Σ|w| (≥ 0).</param>
/// <param name="L2">Coefficient of Σw² (≥ 0).</param>
public sealed record Regularizer(float L1 = 0f, float L2 = 0f)
{
    /// <summary>Keras <c>l1(factor)</c>.</summary>
    public static Regularizer OfL1(float factor) => new(L1: factor);

    /// <summary>Keras <c>l2(factor)</c>.</summary>
    public static Regularizer OfL2(float factor) => new(L2: factor);

    /// <summary>Keras <c>l1_l2(l1, l2)</c>.</summary>
    public static Regularizer OfL1L2(float l1, float l2) => new(l1, l2);

    /// <summary>Throws a clear exception for a negative or non-finite coefficient.</summary>
    public void Validate(string layer)
    {
        if (!(L1 >= 0f && float.IsFinite(L1)) || !(L2 >= 0f && float.IsFinite(L2)))
        {
            throw new ArgumentException($"Layer {layer}: regulariser coefficients must be finite and ≥ 0, got l1 = {L1}, l2 = {L2}.");
        }
    }
}
