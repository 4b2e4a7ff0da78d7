namespace DistTrain.Kernels.Data;

/// <summary>A CSV file loaded as a data set: inputs <c>[InputColumns.Count]</c>, targets <c>[TargetColumns.Count]</c>.</summary>
/// <param name="Data">The rows, in file order.</param>
/// <param name="InputColumns">Names of the input columns (from the header, or <c>column0</c>, <c>column1</c> … without one).</param>
/// <param name="TargetColumns">Names of the target columns.</param>
public sealed record CsvData(InMemoryDataSet Data, IReadOnlyList<string> InputColumns, IReadOnlyList<string> TargetColumns);
