using System.CommandLine;
using System.Globalization;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Client.Train;
using DistTrain.Kernels.Models;
using Spectre.Console;

namespace DistTrain.Client.Commands;

/// <summary>
/// <c>disttrain model summary</c>: per layer its name, type, output shape and parameter
/// count, and the totals (Keras' <c>model.summary()</c>), for a preset, a model spec file or a
/// checkpoint's model. Needs no cluster.
/// </summary>
internal static class ModelCommand
{
    public static Command Create(CliConsole console)
    {
        var file = CommandSupport.OptionalFileArgument("file", "Model spec JSON file (as `train --model` takes it); or give --preset or --checkpoint.");
        var preset = new Option<string?>("--preset", "-p")
        {
            Description = $"A preset's model: {string.Join(", ", TrainingPresets.All.Select(p => p.Name))} (linear-regression with one input feature).",
        };
        var model = new Option<string?>("--model") { Description = "Model spec JSON file (the same as the file argument).", HelpName = "file" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "The model of a checkpoint file.", HelpName = "file" };
        var json = CommandSupport.JsonOption();
        var summary = new Command("summary", "Per layer: name, type, output shape and parameters; and the total parameters (like Keras' model.summary()).")
        {
            file, preset, model, checkpoint, json,
        };
        summary.SetAction(parse =>
        {
            var (spec, source) = Resolve(parse.GetValue(file), parse.GetValue(model), parse.GetValue(preset), parse.GetValue(checkpoint));
            var result = ModelSummary.For(spec);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, new
                {
                    model = source,
                    result.InputShape,
                    result.Layers,
                    result.TotalParameters,
                    trainableParameters = result.TotalParameters,
                    nonTrainableParameters = 0,
                });
            }
            else
            {
                Render(console.Ansi, result, source);
            }

            return ExitCodes.Success;
        });

        return new Command("model", "Inspect a model without training it.") { summary };
    }

    /// <summary>The one model the flags name, with a description of where it came from.</summary>
    private static (ModelSpec Spec, string Source) Resolve(string? file, string? modelFile, string? presetName, string? checkpointPath)
    {
        if (file is not null && modelFile is not null)
        {
            throw new CliException("give the model spec file once: as the argument or with --model.", ExitCodes.Usage);
        }

        var path = file ?? modelFile;
        var given = new[] { path, presetName, checkpointPath }.Count(v => v is not null);
        if (given != 1)
        {
            throw new CliException(
                given == 0 ? "no model: give a model spec file, --preset NAME or --checkpoint FILE." : "give only one of a model spec file, --preset and --checkpoint.",
                ExitCodes.Usage);
        }

        if (presetName is not null)
        {
            var preset = CliPresets.Find(presetName);
            return (ModelSpecFile.Parse(preset.ModelSpecJson(1), $"preset {preset.Name}"), $"preset {preset.Name}");
        }

        if (checkpointPath is not null)
        {
            var checkpoint = RunEvaluator.LoadCheckpoint(Path.GetFullPath(checkpointPath));
            return (ModelSpecFile.Parse(checkpoint.ModelSpecJson, $"checkpoint '{checkpointPath}'"), $"checkpoint {checkpointPath}");
        }

        return (ModelSpecFile.Parse(ModelSpecFile.Read(path!), $"'{path}'"), path!);
    }

    private static void Render(IAnsiConsole console, ModelSummary summary, string source)
    {
        var title = $"model: {source}, input {ModelSummary.ShapeText(summary.InputShape)}";
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        table.AddColumns("layer", "type", "output shape");
        table.AddColumn(new TableColumn("params").RightAligned());
        foreach (var layer in summary.Layers)
        {
            table.AddRow(Markup.Escape(layer.Name), Markup.Escape(layer.Type), Markup.Escape(ModelSummary.ShapeText(layer.OutputShape)), Count(layer.Parameters));
        }

        console.Write(table);
        var totals = new Grid().AddColumn().AddColumn(new GridColumn().RightAligned());
        totals.AddRow("total params", Count(summary.TotalParameters));
        totals.AddRow("trainable params", Count(summary.TotalParameters));
        totals.AddRow("non-trainable params", "0");
        totals.AddRow("size (float32)", Megabytes(summary.TotalParameters * sizeof(float)));
        console.Write(totals);
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Megabytes(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " MB";
}
