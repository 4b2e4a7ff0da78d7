namespace DistTrain.Kernels.Onnx;

/// <summary>Settings of <see cref="OnnxExporter"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Append the model's prediction activation (softmax for cross-entropy, sigmoid for binary
    /// cross-entropy), so the graph outputs what <c>ModelReplica.Predict</c> does; false
    /// exports the logits. Default true.
    /// </summary>
    public bool OutputActivation { get; init; } = true;

    /// <summary>The ai.onnx operator set the graph targets (13 or later: Resize, Softmax over the last axis). Default 13.</summary>
    public int Opset { get; init; } = 13;

    /// <summary>Name of the graph input (shape <c>[batch, ...InputShape]</c>, NHWC for images). Default <c>input</c>.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>Name of the graph output (shape <c>[batch, ...OutputShape]</c>). Default <c>output</c>.</summary>
    public string OutputName { get; init; } = "output";
}
