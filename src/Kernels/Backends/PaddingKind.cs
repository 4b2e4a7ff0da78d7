namespace DistTrain.Kernels.Backends;

/// <summary>How a sliding window treats the image border (Keras/TensorFlow semantics).</summary>
public enum PaddingKind
{
    /// <summary>No padding: only windows that lie wholly inside the image; output = ⌊(in − k)/s⌋ + 1.</summary>
    Valid,

    /// <summary>
    /// Zero padding so that output = ⌈in/s⌉; pad_total = max((out − 1)·s + k − in, 0),
    /// pad_before = ⌊pad_total/2⌋ (the extra cell, if any, goes after).
    /// </summary>
    Same,
}
