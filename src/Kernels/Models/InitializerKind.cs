namespace DistTrain.Kernels.Models;

/// <summary>How a parameter tensor is initialised (Keras names).</summary>
public enum InitializerKind
{
    /// <summary>All zeros (Keras' default for biases).</summary>
    Zeros,

    /// <summary>Uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras' default for kernels).</summary>
    GlorotUniform,

    /// <summary>Normal with mean 0 and standard deviation 0.05, redrawn beyond two deviations (Keras <c>truncated_normal</c>).</summary>
    TruncatedNormal,
}
