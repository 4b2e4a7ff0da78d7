using System.Globalization;
using Spectre.Console;

namespace DistTrain.Client.Output;

/// <summary>Renders a <see cref="RunSummary"/> as Spectre tables.</summary>
public static class SummaryView
{
    /// <summary>Writes the per-epoch history and the final metrics.</summary>
    public static void Render(IAnsiConsole console, RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.History.Count > 0)
        {
            var history = new Table().Border(TableBorder.Rounded).Title("epochs");
            history.AddColumns("epoch", "loss", "accuracy", "val loss", "val accuracy", "time");
            foreach (var row in summary.History)
            {
                history.AddRow(
                    row.Epoch.ToString(CultureInfo.InvariantCulture),
                    Number(row.Loss),
                    Percent(row.Accuracy),
                    Number(row.ValidationLoss),
                    Percent(row.ValidationAccuracy),
                    Seconds(row.Seconds));
            }

            console.Write(history);
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"run {Markup.Escape(summary.RunId)}: {summary.State.ToLowerInvariant()}");
        table.AddColumns("", "loss", "accuracy", "samples");
        AddMetrics(table, "train (last epoch)", summary.Train);
        AddMetrics(table, "validation", summary.Validation);
        AddMetrics(table, "test", summary.Test);
        console.Write(table);

        var facts = new Grid().AddColumn().AddColumn();
        facts.AddRow("cluster", Markup.Escape(summary.Cluster));
        facts.AddRow("epochs / steps", $"{summary.Epochs} / {summary.Steps}");
        facts.AddRow("workers", summary.Workers.ToString(CultureInfo.InvariantCulture));
        facts.AddRow("time", Seconds(summary.Seconds));
        facts.AddRow("samples/s", summary.SamplesPerSecond is { } rate ? rate.ToString("N0", CultureInfo.InvariantCulture) : "-");
        facts.AddRow("skipped / clipped steps", $"{summary.SkippedSteps} / {summary.ClippedSteps}");
        if (summary.History.Count > 1)
        {
            var losses = summary.History.Select(r => r.Loss).ToList();
            facts.AddRow("loss per epoch", $"{Sparkline.Of(losses)}  {Number(losses[0])} → {Number(losses[^1])}");
        }

        if (summary.StoppedEarly)
        {
            facts.AddRow("early stopping", "stopped the run");
        }

        if (summary.Checkpoint is not null)
        {
            facts.AddRow("checkpoint", Markup.Escape(summary.Checkpoint));
        }

        if (summary.LogDirectory is not null)
        {
            facts.AddRow("TensorBoard log", Markup.Escape(summary.LogDirectory));
            facts.AddRow("", Markup.Escape($"tensorboard --logdir {Quote(summary.LogDirectory)}  ·  disttrain plot --logdir {Quote(summary.LogDirectory)}"));
        }

        if (summary.Parameters is not null)
        {
            foreach (var (name, values) in summary.Parameters)
            {
                facts.AddRow(Markup.Escape(name), string.Join(", ", values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture))));
            }
        }

        if (summary.Error is not null)
        {
            facts.AddRow("[red]error[/]", Markup.Escape(summary.Error));
        }

        console.Write(facts);
    }

    private static void AddMetrics(Table table, string label, EvaluationMetrics? metrics)
    {
        if (metrics is null)
        {
            return;
        }

        table.AddRow(label, Number(metrics.Loss), Percent(metrics.Accuracy), metrics.Samples?.ToString("N0", CultureInfo.InvariantCulture) ?? "-");
    }

    /// <summary><paramref name="path"/> in double quotes when it holds a space.</summary>
    internal static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;

    internal static string Number(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    internal static string Percent(double? value) =>
        value is { } v && double.IsFinite(v) ? (v * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "-";

    internal static string Seconds(double seconds) =>
        TimeSpan.FromSeconds(seconds) is var t && t.TotalMinutes >= 1
            ? $"{(int)t.TotalMinutes}m {t.Seconds:00}s"
            : seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
