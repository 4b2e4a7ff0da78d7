using System.Globalization;

namespace DistTrain.Kernels.Training;

/// <summary>The folds of a <see cref="CrossValidation"/> run and the mean ± standard deviation of their validation metrics.</summary>
/// <param name="Folds">Per fold, in order.</param>
public sealed record CrossValidationResult(IReadOnlyList<FoldResult> Folds)
{
    /// <summary>Mean and sample standard deviation (n − 1) of the folds' validation loss.</summary>
    public (double Mean, double StdDev) Loss => MeanStd(Folds.Select(f => f.Validation.Loss));

    /// <summary>Mean and sample standard deviation of the folds' validation accuracy (NaN for MSE models).</summary>
    public (double Mean, double StdDev) Accuracy => MeanStd(Folds.Select(f => f.Validation.Accuracy));

    /// <summary>Mean and sample standard deviation of the folds' validation top-k accuracy (NaN where not defined).</summary>
    public (double Mean, double StdDev) TopKAccuracy => MeanStd(Folds.Select(f => f.Validation.TopKAccuracy));

    /// <summary>One line, for example <c>5 folds: loss 0.3120 ± 0.0150, accuracy 0.9120 ± 0.0080</c>.</summary>
    public string Describe()
    {
        var (loss, lossStd) = Loss;
        var (accuracy, accuracyStd) = Accuracy;
        string text = string.Create(CultureInfo.InvariantCulture, $"{Folds.Count} folds: loss {loss:F4} ± {lossStd:F4}");
        return double.IsNaN(accuracy) ? text : text + string.Create(CultureInfo.InvariantCulture, $", accuracy {accuracy:F4} ± {accuracyStd:F4}");
    }

    private static (double Mean, double StdDev) MeanStd(IEnumerable<double> values)
    {
        double[] v = [.. values];
        if (v.Length == 0)
        {
            return (double.NaN, double.NaN);
        }

        double mean = v.Average();
        double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return (mean, std);
    }
}
