namespace DistTrain.Grains;

/// <summary>What a parameter-server slice did with one step.</summary>
/// <param name="Step">The step applied.</param>
/// <param name="Skipped">The global norm was not finite: weights and velocity are unchanged.</param>
/// <param name="Clipped">The gradient was scaled down to the clip norm.</param>
/// <param name="GradientNorm">Global norm of the mean gradient, before clipping.</param>
/// <param name="LearningRate">Learning rate of the step after the schedule.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.ApplyResult")]
public sealed record ApplyResult(
    [property: Id(0)] long Step,
    [property: Id(1)] bool Skipped,
    [property: Id(2)] bool Clipped,
    [property: Id(3)] double GradientNorm,
    [property: Id(4)] double LearningRate);
