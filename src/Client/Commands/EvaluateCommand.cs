using System.CommandLine;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;

namespace DistTrain.Client.Commands;

/// <summary><c>disttrain evaluate</c>: loss and accuracy of a run's or a checkpoint's weights on a data split.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliConsole console, CliHooks hooks)
    {
        var source = new ModelSourceOptions();
        var json = CommandSupport.JsonOption();
        var connection = new ConnectionOptions();
        var command = new Command("evaluate", "Evaluate a run or a checkpoint on a data set: mean loss and accuracy.");
        source.AddTo(command);
        command.Add(json);
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var asJson = parse.GetValue(json);
            using var model = await source.ResolveAsync(parse, connection.Read(parse), console, hooks, asJson, cancellationToken);
            var split = parse.GetValue(source.Split)!;
            var metrics = model.Evaluator.Evaluate(model.Weights, split);
            if (asJson)
            {
                JsonOutput.Write(console.Out, new { model = model.Description, data = model.Evaluator.Data.ToString(), split, metrics.Loss, metrics.Accuracy, metrics.Samples });
            }
            else
            {
                console.Out.WriteLine($"{model.Description} on {model.Evaluator.Data}, {split} split ({metrics.Samples:N0} samples):");
                console.Out.WriteLine($"  loss {SummaryView.Number(metrics.Loss)}  accuracy {SummaryView.Percent(metrics.Accuracy)}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
