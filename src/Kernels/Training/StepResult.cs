namespace DistTrain.Kernels.Training;

/// <summary>The outcome of one optimiser step.</summary>
/// <param name="Step">The global step that was computed (before the increment).</param>
/// <param name="Loss">Mean loss of the step's samples (with the weights before the update).</param>
/// <param name="Accuracy">Fraction of the step's samples classified correctly (0 for MSE).</param>
/// <param name="GradientNorm">Global norm of the mean gradient before clipping.</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="Skipped">The gradient was not finite; weights and velocity were left unchanged.</param>
/// <param name="Clipped">The gradient was clipped to the clip norm.</param>
public sealed record StepResult(long Step, double Loss, double Accuracy, double GradientNorm, float LearningRate, bool Skipped, bool Clipped);
