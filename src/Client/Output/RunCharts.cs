using DistTrain.TensorBoard;
using ScottPlot;

namespace DistTrain.Client.Output;

/// <summary>
/// The charts of <c>disttrain plot</c>, drawn with ScottPlot from a run's TensorBoard log
/// (the runs and tags the coordinator writes): loss and accuracy per epoch, training
/// (<c>train</c>) beside validation (<c>validation</c>), and each worker's step time per
/// step (<c>steps</c>, <c>worker_step_ms/{worker}</c>). Each chart is written as PNG and SVG.
/// A run shorter than one epoch gets its loss and accuracy per step instead.
/// </summary>
internal static class RunCharts
{
    private const string StepsRun = RunLogLayout.StepsRun;
    private const string TrainRun = RunLogLayout.TrainRun;
    private const string ValidationRun = RunLogLayout.ValidationRun;
    private const string WorkerStepPrefix = RunLogLayout.WorkerStepPrefix;

    /// <summary>Writes the charts <paramref name="log"/> has data for into <paramref name="output"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Write(ScalarLog log, string output, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(log);
        Directory.CreateDirectory(output);
        var files = new List<string>();
        PerEpoch(log, "loss", "Loss", Alignment.UpperRight, output, width, height, files);
        PerEpoch(log, "accuracy", "Accuracy", Alignment.LowerRight, output, width, height, files);
        var workers = log.TagsOf(StepsRun).Where(t => t.StartsWith(WorkerStepPrefix, StringComparison.Ordinal)).ToList();
        if (workers.Count > 0)
        {
            var series = workers.Select(t => (t[WorkerStepPrefix.Length..], log.Series(StepsRun, t))).ToList();
            var times = series.SelectMany(s => s.Item2).Select(p => p.Value).Where(double.IsFinite).Order().ToList();
            double p99 = times.Count > 0 ? times[(int)(0.99 * (times.Count - 1))] : 0;
            // Warm-up steps (JIT, first weight pulls) can be 100 times the rest: cut the axis above them.
            bool cut = times.Count >= 20 && p99 > 0 && times[^1] > 3 * p99;
            var chart = Chart(cut ? "Step time per worker (axis cut at 1.5 × p99)" : "Step time per worker", "step", "worker call (ms)", series, integerX: false, Alignment.UpperRight);
            if (cut)
            {
                chart.Axes.SetLimitsY(0, 1.5 * p99);
            }

            Save(chart, "step_time", output, width, height, files);
        }

        return files;
    }

    private static void PerEpoch(ScalarLog log, string metric, string title, Alignment legend, string output, int width, int height, List<string> files)
    {
        var train = log.Series(TrainRun, RunLogLayout.EpochPrefix + metric);
        var validation = log.Series(ValidationRun, RunLogLayout.EpochPrefix + metric);
        if (train.Count > 0 || validation.Count > 0)
        {
            Save(Chart($"{title} per epoch", "epoch", metric, [("train", train), ("validation", validation)], integerX: true, legend), metric, output, width, height, files);
        }
        else if (log.Series(StepsRun, metric) is { Count: > 0 } steps)
        {
            Save(Chart($"{title} per step", "step", metric, [("train", steps)], integerX: false, legend), metric, output, width, height, files);
        }
    }

    private static Plot Chart(string title, string x, string y, IReadOnlyList<(string Label, IReadOnlyList<ScalarPoint> Points)> series, bool integerX, Alignment legend)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        foreach (var (label, points) in series)
        {
            var finite = points.Where(p => double.IsFinite(p.Value)).ToList();
            if (finite.Count == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(finite.Select(p => (double)p.Step).ToArray(), finite.Select(p => p.Value).ToArray());
            line.LegendText = label;
            line.MarkerSize = integerX && finite.Count <= 60 ? 6 : 0;
            line.LineWidth = 2;
        }

        if (integerX)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        }

        plot.ShowLegend(legend); // where a falling loss or a rising accuracy leaves room
        return plot;
    }

    private static void Save(Plot plot, string name, string output, int width, int height, List<string> files)
    {
        string png = Path.Combine(output, name + ".png");
        string svg = Path.Combine(output, name + ".svg");
        plot.SavePng(png, width, height);
        plot.SaveSvg(svg, width, height);
        files.Add(png);
        files.Add(svg);
    }
}
