using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;

namespace DistTrain.Kernels.Training;

/// <summary>
/// k-fold cross-validation (scikit-learn's <c>KFold</c> without shuffling): fold i holds out
/// samples <c>[i·n/k, (i+1)·n/k)</c> for validation and trains a fresh model, from the same
/// initial weights, on the others with <see cref="LocalTrainer.Fit"/>; the folds' final
/// validation metrics are reported with their mean and sample standard deviation.
/// </summary>
public static class CrossValidation
{
    /// <summary>Runs the k folds one after the other on <paramref name="backend"/>.</summary>
    /// <param name="spec">The model.</param>
    /// <param name="options">Training settings of every fold (their <c>ValidationSplit</c> is ignored: the fold is the validation data).</param>
    /// <param name="data">All labelled samples.</param>
    /// <param name="folds">k ≥ 2, at most the number of samples.</param>
    /// <param name="backend">The backend every fold trains on.</param>
    /// <param name="onEpoch">Called after every epoch with the fold index and its metrics.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    public static CrossValidationResult Run(
        ModelSpec spec,
        TrainingOptions options,
        IDataSet data,
        int folds,
        IComputeBackend backend,
        Action<int, EpochMetrics>? onEpoch = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(backend);
        if (folds < 2 || folds > data.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(folds), folds, $"k-fold cross-validation needs 2 ≤ k ≤ the number of samples ({data.Count}).");
        }

        var foldOptions = options with { ValidationSplit = 0 };
        var results = new List<FoldResult>(folds);
        for (int k = 0; k < folds; k++)
        {
            var (train, validation) = Split(data, k, folds);
            using var trainer = new LocalTrainer(spec, foldOptions, backend);
            History history = trainer.Fit(train, validation, m => onEpoch?.Invoke(k, m), cancellationToken);
            EvaluationResult final = trainer.Evaluate(validation);
            results.Add(new FoldResult(k, train.Count, validation.Count, final, history));
        }

        return new CrossValidationResult(results);
    }

    /// <summary>The training and validation samples of fold <paramref name="fold"/> of <paramref name="folds"/>.</summary>
    public static (IDataSet Train, IDataSet Validation) Split(IDataSet data, int fold, int folds)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (folds < 1 || fold < 0 || fold >= folds)
        {
            throw new ArgumentOutOfRangeException(nameof(fold), fold, $"Fold must be in [0, {folds}).");
        }

        int start = (int)((long)fold * data.Count / folds);
        int end = (int)((long)(fold + 1) * data.Count / folds);
        int[] train = [.. Enumerable.Range(0, start), .. Enumerable.Range(end, data.Count - end)];
        return (new SubsetDataSet(data, train), new DataSetRange(data, start, end - start));
    }
}
