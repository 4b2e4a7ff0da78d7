using System.CommandLine;
using System.Globalization;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using Spectre.Console;

namespace DistTrain.Client.Commands;

/// <summary><c>disttrain predict</c>: class probabilities (or regression outputs) for chosen samples.</summary>
internal static class PredictCommand
{
    /// <summary>One predicted sample as <c>predict --json</c> reports it.</summary>
    internal sealed record Prediction(int Index, int? Label, int? Predicted, float[] Outputs, float[] Targets);

    public static Command Create(CliConsole console, CliHooks hooks)
    {
        var source = new ModelSourceOptions();
        var samples = new Option<int[]>("--samples", "-s")
        {
            Description = "Sample indices in the split, comma- or space-separated.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result =>
            {
                var values = new List<int>();
                foreach (var part in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                {
                    if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    {
                        result.AddError($"--samples: '{part}' is not a sample index.");
                        return [];
                    }

                    values.Add(index);
                }

                return [.. values];
            },
        };
        var json = CommandSupport.JsonOption();
        var connection = new ConnectionOptions();
        var command = new Command("predict", "Predict chosen samples with a run or a checkpoint: class probabilities, or outputs for regression.");
        source.AddTo(command);
        command.Add(samples);
        command.Add(json);
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var asJson = parse.GetValue(json);
            var indices = parse.GetValue(samples) ?? [];
            if (indices.Length == 0)
            {
                throw new CliException("--samples needs at least one index.", ExitCodes.Usage);
            }

            using var model = await source.ResolveAsync(parse, connection.Read(parse), console, hooks, asJson, cancellationToken);
            var split = parse.GetValue(source.Split)!;
            float[] outputs, targets;
            try
            {
                (outputs, targets) = model.Evaluator.Predict(model.Weights, split, indices);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new CliException(DistTrainCli.OneLine(ex.Message), ExitCodes.Usage, ex);
            }

            var width = outputs.Length / indices.Length;
            var targetWidth = targets.Length / indices.Length;
            var classification = model.Evaluator.ModelSpec.Loss != Kernels.Models.LossKind.MeanSquaredError && width > 1;
            var predictions = indices.Select((index, row) =>
            {
                var output = outputs.AsSpan(row * width, width).ToArray();
                var target = targets.AsSpan(row * targetWidth, targetWidth).ToArray();
                return new Prediction(index, classification ? ArgMax(target) : null, classification ? ArgMax(output) : null, output, target);
            }).ToList();

            if (asJson)
            {
                JsonOutput.Write(console.Out, new { model = model.Description, data = model.Evaluator.Data.ToString(), split, predictions });
                return ExitCodes.Success;
            }

            var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{model.Description}, {split} split"));
            table.AddColumns(classification ? ["sample", "label", "predicted", "probability", "top classes"] : ["sample", "target", "output"]);
            foreach (var p in predictions)
            {
                if (classification)
                {
                    var top = p.Outputs.Select((prob, c) => (prob, c)).OrderByDescending(t => t.prob).Take(3);
                    table.AddRow(
                        p.Index.ToString(CultureInfo.InvariantCulture),
                        p.Label?.ToString(CultureInfo.InvariantCulture) ?? "-",
                        p.Predicted == p.Label ? $"[green]{p.Predicted}[/]" : $"[red]{p.Predicted}[/]",
                        p.Outputs[p.Predicted!.Value].ToString("0.0000", CultureInfo.InvariantCulture),
                        string.Join("  ", top.Select(t => $"{t.c}: {t.prob.ToString("0.000", CultureInfo.InvariantCulture)}")));
                }
                else
                {
                    table.AddRow(p.Index.ToString(CultureInfo.InvariantCulture), Join(p.Targets), Join(p.Outputs));
                }
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static string Join(float[] values) => string.Join(", ", values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
}
