using DistTrain.Client.Cli;

return await DistTrainCli.InvokeAsync(args, Console.Out, Console.Error);
