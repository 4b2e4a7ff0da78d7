namespace DistTrain.Grains;

/// <summary>The update rule of an <see cref="OptimizerSettings"/> (Keras' optimiser classes).</summary>
[GenerateSerializer, Alias("DistTrain.OptimizerAlgorithm")]
public enum OptimizerAlgorithm
{
    /// <summary>SGD with optional (Nesterov) momentum.</summary>
    Sgd,

    /// <summary>Adam (β₁, β₂, ε, AMSGrad; bias-corrected).</summary>
    Adam,

    /// <summary>Adam with decoupled weight decay (<c>w -= lr·λ·w</c>).</summary>
    AdamW,

    /// <summary>RMSprop (ρ, momentum, ε, centred).</summary>
    RmsProp,

    /// <summary>Adagrad (initial accumulator, ε).</summary>
    Adagrad,
}
