namespace DistTrain.Grains;

/// <summary>
/// Which of a parameter-server slice's vectors a <see cref="ParameterChunk"/> holds: the
/// weights or one of the optimiser's state vectors, in the order of the optimiser's state
/// names (SGD: velocity; Adam: momentum, velocity, velocity_hat; …).
/// </summary>
[GenerateSerializer, Alias("DistTrain.ParameterKind")]
public enum ParameterKind
{
    /// <summary>The model weights.</summary>
    Weights,

    /// <summary>The optimiser's first state vector (SGD's momentum buffer, Adam's first moment, RMSprop's mean square, Adagrad's accumulator).</summary>
    Velocity,

    /// <summary>The optimiser's second state vector, if it keeps one (Adam's second moment, …).</summary>
    State1,

    /// <summary>The optimiser's third state vector, if it keeps one (AMSGrad's maximum, …).</summary>
    State2,
}

/// <summary>Maps optimiser state indices to <see cref="ParameterKind"/>s and back.</summary>
public static class ParameterKinds
{
    /// <summary>The most state vectors a slice keeps.</summary>
    public const int MaxStates = 3;

    /// <summary>The kind of optimiser state vector <paramref name="index"/> (0-based).</summary>
    public static ParameterKind OptimizerState(int index) => index switch
    {
        0 => ParameterKind.Velocity,
        1 => ParameterKind.State1,
        2 => ParameterKind.State2,
        _ => throw new ArgumentOutOfRangeException(nameof(index), $"A slice keeps at most {MaxStates} optimiser state vectors, not state {index}."),
    };

    /// <summary>The 0-based optimiser state index of <paramref name="kind"/>, or −1 for the weights.</summary>
    public static int StateIndex(this ParameterKind kind) => kind switch
    {
        ParameterKind.Weights => -1,
        ParameterKind.Velocity => 0,
        ParameterKind.State1 => 1,
        ParameterKind.State2 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), $"Unknown parameter kind {kind}."),
    };
}
