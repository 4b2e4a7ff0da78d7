namespace DistTrain.Grains;

/// <summary>Which of a parameter-server slice's vectors a <see cref="ParameterChunk"/> holds.</summary>
[GenerateSerializer, Alias("DistTrain.ParameterKind")]
public enum ParameterKind
{
    /// <summary>The model weights.</summary>
    Weights,

    /// <summary>The momentum buffer.</summary>
    Velocity,
}
