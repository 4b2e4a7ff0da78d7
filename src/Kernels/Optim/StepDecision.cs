namespace DistTrain.Kernels.Optim;

/// <summary>What one optimiser step does, decided from the global gradient norm.</summary>
/// <param name="Skip">The gradient is not finite: leave weights and velocity unchanged.</param>
/// <param name="GradientScale">Factor for the raw gradient sum: <c>(1/globalBatch)·min(1, clip/norm)</c>.</param>
/// <param name="LearningRate">Learning rate of this step after the schedule.</param>
/// <param name="GradientNorm">Global L2 norm of the mean gradient, before clipping.</param>
/// <param name="Clipped">The clipping factor was below 1.</param>
public readonly record struct StepDecision(bool Skip, float GradientScale, float LearningRate, double GradientNorm, bool Clipped);
