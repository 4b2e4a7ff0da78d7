using DistTrain.Client.Cli;
using DistTrain.Grains;
using DistTrain.Runs;

namespace DistTrain.Client.Output;

/// <summary>Prints a followed run's <see cref="RunSummary"/> for <c>train</c> and <c>watch</c>.</summary>
internal static class RunSummaryOutput
{
    /// <summary>
    /// Prints the summary (table or JSON) and, on standard error, why the validation metrics are
    /// missing from the run's TensorBoard log (<paramref name="validationLogError"/>) and, for a
    /// failed run, the reason.
    /// </summary>
    public static void Print(CliConsole console, bool json, RunSummary summary, string? validationLogError = null)
    {
        if (json)
        {
            JsonOutput.Write(console.Out, summary);
        }
        else
        {
            SummaryView.Render(console.Ansi, summary);
        }

        if (validationLogError is not null)
        {
            console.Error.WriteLine($"disttrain: the validation metrics are missing from the run's TensorBoard log: {validationLogError}");
        }

        if (summary.State == nameof(RunState.Failed))
        {
            console.Error.WriteLine($"disttrain: run {summary.RunId} failed: {DistTrainCli.OneLine(summary.Error ?? "no reason given")}");
        }
    }
}
