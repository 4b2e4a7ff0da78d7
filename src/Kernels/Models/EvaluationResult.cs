namespace DistTrain.Kernels.Models;

/// <summary>Metrics of a model over a data set.</summary>
/// <param name="Loss">Mean per-sample loss.</param>
/// <param name="Accuracy">Fraction classified correctly; NaN for an MSE (regression) model.</param>
/// <param name="TopKAccuracy">Fraction whose target class is among the <paramref name="TopK"/> highest predictions; NaN for MSE and binary models.</param>
/// <param name="TopK">The k of <paramref name="TopKAccuracy"/>.</param>
/// <param name="Samples">Number of samples evaluated.</param>
public sealed record EvaluationResult(double Loss, double Accuracy, double TopKAccuracy, int TopK, int Samples);
