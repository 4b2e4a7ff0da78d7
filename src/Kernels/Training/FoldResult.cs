using DistTrain.Kernels.Models;

namespace DistTrain.Kernels.Training;

/// <summary>One fold of a <see cref="CrossValidation"/> run.</summary>
/// <param name="Fold">0-based fold index.</param>
/// <param name="TrainSamples">Samples trained on.</param>
/// <param name="ValidationSamples">Samples held out.</param>
/// <param name="Validation">Metrics of the final weights on the held-out samples.</param>
/// <param name="History">The fold's per-epoch history.</param>
public sealed record FoldResult(int Fold, int TrainSamples, int ValidationSamples, EvaluationResult Validation, History History);
