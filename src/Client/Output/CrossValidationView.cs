using System.Globalization;
using Spectre.Console;

namespace DistTrain.Client.Output;

/// <summary>Renders a <see cref="CrossValidationSummary"/>: one row per fold, then mean ± std.</summary>
public static class CrossValidationView
{
    /// <summary>Writes the folds table.</summary>
    public static void Render(IAnsiConsole console, CrossValidationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(summary);
        var hasAccuracy = summary.Accuracy is not null;
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"{summary.K}-fold cross-validation: {summary.Model}, {summary.Data}"));
        table.AddColumns("fold", "train", "validation", "epochs", "val loss");
        if (hasAccuracy)
        {
            table.AddColumns("val accuracy", $"val top-{summary.TopK}");
        }

        foreach (var fold in summary.Folds)
        {
            var cells = new List<string>
            {
                fold.Fold.ToString(CultureInfo.InvariantCulture),
                fold.TrainSamples.ToString("N0", CultureInfo.InvariantCulture),
                fold.ValidationSamples.ToString("N0", CultureInfo.InvariantCulture),
                fold.Epochs.ToString(CultureInfo.InvariantCulture),
                SummaryView.Number(fold.Loss),
            };
            if (hasAccuracy)
            {
                cells.Add(SummaryView.Percent(fold.Accuracy));
                cells.Add(SummaryView.Percent(fold.TopKAccuracy));
            }

            table.AddRow([.. cells]);
        }

        var mean = new List<string> { "mean ± std", string.Empty, string.Empty, string.Empty, $"{SummaryView.Number(summary.Loss.Mean)} ± {SummaryView.Number(summary.Loss.Std)}" };
        if (hasAccuracy)
        {
            mean.Add(PercentPair(summary.Accuracy));
            mean.Add(PercentPair(summary.TopKAccuracy));
        }

        table.AddRow([.. mean]);
        console.Write(table);
        console.WriteLine($"time {SummaryView.Seconds(summary.Seconds)}");
    }

    private static string PercentPair(MeanStd? value) =>
        value is null ? "-" : $"{SummaryView.Percent(value.Mean)} ± {SummaryView.Percent(value.Std)}";
}
