using System.Globalization;
using DistTrain.Grains;
using Spectre.Console;

namespace DistTrain.Client.Output;

/// <summary>
/// Shows a watched run: a Spectre progress bar per epoch (loss, accuracy, samples/s, ETA)
/// on a terminal, one line per epoch when standard output is redirected, nothing with
/// <c>--json</c>.
/// </summary>
internal static class ProgressView
{
    public static async Task<T> RunAsync<T>(Cli.CliConsole console, bool json, Func<IRunProgress, Task<T>> body)
    {
        if (json)
        {
            return await body(new SilentProgress()).ConfigureAwait(false);
        }

        if (!console.Interactive)
        {
            return await body(new LineProgress(console.Out)).ConfigureAwait(false);
        }

        return await console.Ansi.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(context => body(new BarProgress(context)))
            .ConfigureAwait(false);
    }

    internal static string Describe(RunStatus status, double? samplesPerSecond, TimeSpan? remaining)
    {
        var parts = new List<string>(4)
        {
            $"loss {SummaryView.Number(status.LastLoss)}",
        };
        if (double.IsFinite(status.LastAccuracy))
        {
            parts.Add($"acc {SummaryView.Percent(status.LastAccuracy)}");
        }

        if (samplesPerSecond is { } rate)
        {
            parts.Add($"{rate.ToString("N0", CultureInfo.InvariantCulture)} samples/s");
        }

        if (remaining is { } eta)
        {
            parts.Add($"ETA {SummaryView.Seconds(eta.TotalSeconds)}");
        }

        return string.Join("  ", parts);
    }

    internal static string DescribeEpoch(EpochRow row, int totalEpochs)
    {
        var text = $"epoch {row.Epoch}/{totalEpochs}  loss {SummaryView.Number(row.Loss)}";
        if (row.Accuracy is not null)
        {
            text += $"  acc {SummaryView.Percent(row.Accuracy)}";
        }

        if (row.ValidationLoss is not null)
        {
            text += $"  val_loss {SummaryView.Number(row.ValidationLoss)}";
        }

        if (row.ValidationAccuracy is not null)
        {
            text += $"  val_acc {SummaryView.Percent(row.ValidationAccuracy)}";
        }

        return text + $"  {SummaryView.Seconds(row.Seconds)}";
    }

    private sealed class SilentProgress : IRunProgress
    {
        public void Update(RunStatus status, double? samplesPerSecond, TimeSpan? remaining)
        {
        }

        public void EpochDone(EpochRow row, int totalEpochs)
        {
        }

        public void Notice(string message)
        {
        }
    }

    private sealed class LineProgress(TextWriter output) : IRunProgress
    {
        private bool _announced;

        public void Update(RunStatus status, double? samplesPerSecond, TimeSpan? remaining)
        {
            if (!_announced && status.State == RunState.Running && status.Workers > 0)
            {
                _announced = true;
                output.WriteLine($"run {status.RunId}: {status.TotalSteps} steps, {status.StepsPerEpoch} per epoch, {status.Workers} workers");
                output.Flush();
            }
        }

        public void EpochDone(EpochRow row, int totalEpochs)
        {
            output.WriteLine(DescribeEpoch(row, totalEpochs));
            output.Flush();
        }

        public void Notice(string message)
        {
            output.WriteLine(message);
            output.Flush();
        }
    }

    private sealed class BarProgress(ProgressContext context) : IRunProgress
    {
        private readonly Dictionary<int, ProgressTask> _tasks = [];

        public void Update(RunStatus status, double? samplesPerSecond, TimeSpan? remaining)
        {
            if (status.StepsPerEpoch <= 0 || status.TotalSteps <= 0)
            {
                return;
            }

            var totalEpochs = (int)Math.Max(1, (status.TotalSteps + status.StepsPerEpoch - 1) / status.StepsPerEpoch);
            var epoch = Math.Min(status.Epoch, totalEpochs - 1);
            var task = Task(epoch, totalEpochs, status.StepsPerEpoch);
            task.Value = Math.Clamp(status.Step - ((long)epoch * status.StepsPerEpoch), 0, status.StepsPerEpoch);
            task.Description = $"epoch {epoch + 1}/{totalEpochs}  {Markup.Escape(Describe(status, samplesPerSecond, remaining))}";
            if (status.State is RunState.Completed or RunState.Stopped or RunState.Failed)
            {
                task.StopTask();
            }

            context.Refresh();
        }

        public void EpochDone(EpochRow row, int totalEpochs)
        {
            var task = Task(row.Epoch - 1, totalEpochs, 1);
            task.Value = task.MaxValue;
            task.Description = Markup.Escape(DescribeEpoch(row, totalEpochs));
            task.StopTask();
            context.Refresh();
        }

        public void Notice(string message)
        {
            var task = context.AddTask(Markup.Escape(message), autoStart: false, maxValue: 1);
            task.Value = 1;
            task.StopTask();
        }

        private ProgressTask Task(int epoch, int totalEpochs, int steps)
        {
            if (!_tasks.TryGetValue(epoch, out var task))
            {
                foreach (var earlier in _tasks.Values.Where(t => !t.IsFinished))
                {
                    earlier.Value = earlier.MaxValue;
                    earlier.StopTask();
                }

                task = context.AddTask($"epoch {epoch + 1}/{totalEpochs}", maxValue: steps);
                _tasks[epoch] = task;
            }

            return task;
        }
    }
}
