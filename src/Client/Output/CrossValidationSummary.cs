namespace DistTrain.Client.Output;

/// <summary>
/// The result of <c>disttrain train --folds k</c>: every fold's validation metrics and their
/// mean ± sample standard deviation; with <c>--json</c>, the one JSON object it writes.
/// </summary>
/// <param name="Model">The preset, or "custom model".</param>
/// <param name="Data">The data set the folds were cut from.</param>
/// <param name="K">Number of folds.</param>
/// <param name="Folds">Per fold, in order.</param>
/// <param name="Loss">Mean ± std of the folds' validation loss.</param>
/// <param name="Accuracy">Mean ± std of the folds' validation accuracy; null for regression.</param>
/// <param name="TopK">The k of the top-k accuracy.</param>
/// <param name="TopKAccuracy">Mean ± std of the folds' validation top-k accuracy; null for regression.</param>
/// <param name="Seconds">Wall time of all folds.</param>
public sealed record CrossValidationSummary(
    string Model,
    string Data,
    int K,
    IReadOnlyList<FoldSummary> Folds,
    MeanStd Loss,
    MeanStd? Accuracy,
    int TopK,
    MeanStd? TopKAccuracy,
    double Seconds);

/// <summary>One fold: the samples it trained on and held out, and the final weights' validation metrics.</summary>
/// <param name="Fold">1-based fold number.</param>
/// <param name="TrainSamples">Samples trained on.</param>
/// <param name="ValidationSamples">Samples held out (the fold).</param>
/// <param name="Epochs">Epochs trained (fewer with early stopping).</param>
/// <param name="Loss">Validation loss.</param>
/// <param name="Accuracy">Validation accuracy; null for regression.</param>
/// <param name="TopKAccuracy">Validation top-k accuracy; null for regression.</param>
public sealed record FoldSummary(int Fold, int TrainSamples, int ValidationSamples, int Epochs, double Loss, double? Accuracy, double? TopKAccuracy);

/// <summary>A mean and its sample standard deviation (n − 1).</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Std">The sample standard deviation.</param>
public sealed record MeanStd(double Mean, double Std);
