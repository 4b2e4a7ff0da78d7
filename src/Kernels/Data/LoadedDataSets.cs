namespace DistTrain.Kernels.Data;

/// <summary>A loaded training and test set and where they came from.</summary>
/// <param name="Train">The training samples (split validation off with <see cref="DataSplit.ValidationSplit"/>).</param>
/// <param name="Test">The held-out test samples.</param>
/// <param name="Source">One of <see cref="DataSetSources"/>' values.</param>
/// <param name="Detail">The directory or URL behind <paramref name="Source"/>, for logs.</param>
public sealed record LoadedDataSets(IDataSet Train, IDataSet Test, string Source, string Detail);
