namespace DistTrain.Kernels.Backends;

/// <summary>Element-wise (or, for softmax, row-wise) activation functions.</summary>
public enum ActivationKind
{
    /// <summary>Identity: f(x) = x.</summary>
    Linear,

    /// <summary>f(x) = max(0, x).</summary>
    Relu,

    /// <summary>f(x) = 1 / (1 + e^-x).</summary>
    Sigmoid,

    /// <summary>f(x) = tanh(x).</summary>
    Tanh,

    /// <summary>Row-wise softmax over the last axis.</summary>
    Softmax,
}
