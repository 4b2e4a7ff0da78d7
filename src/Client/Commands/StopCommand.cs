using System.CommandLine;
using DistTrain.Client.Cli;
using DistTrain.Client.Output;
using DistTrain.Grains;

namespace DistTrain.Client.Commands;

/// <summary><c>disttrain stop RUN</c>: stops a run after its current step (a checkpoint is written).</summary>
internal static class StopCommand
{
    public static Command Create(CliConsole console, CliHooks hooks)
    {
        var run = CommandSupport.RunArgument();
        var atStep = new Option<long?>("--at-step") { Description = "Stop once this step is done instead of after the current one." };
        var wait = new Option<bool>("--wait") { Description = "Wait until the run has stopped." };
        var json = CommandSupport.JsonOption();
        var connection = new ConnectionOptions();
        var command = new Command("stop", "Stop a run after its current step; a checkpoint is written.") { run, atStep, wait, json };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var id = parse.GetValue(run)!;
            await using var cluster = await CommandSupport.ConnectAsync(connection.Read(parse), hooks, "stop", parse.GetValue(json), cancellationToken);
            var grain = cluster.Grains.GetGrain<ITrainingRunGrain>(id);
            var status = await grain.GetStatus().WaitAsync(cancellationToken);
            if (status.State == RunState.NotStarted)
            {
                throw new CliException($"run '{id}' does not exist.");
            }

            if (status.State is RunState.Running or RunState.Paused)
            {
                await grain.Stop(parse.GetValue(atStep)).WaitAsync(cancellationToken);
                while (parse.GetValue(wait) && status.State is RunState.Running or RunState.Paused)
                {
                    await Task.Delay(hooks.PollInterval, cancellationToken);
                    status = await grain.GetStatus().WaitAsync(cancellationToken);
                }
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, new { runId = id, requested = true, state = status.State });
            }
            else
            {
                console.Out.WriteLine($"run {id}: {(status.State is RunState.Running or RunState.Paused ? "stopping" : status.State.ToString().ToLowerInvariant())} at step {status.Step}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
