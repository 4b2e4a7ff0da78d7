// Placeholder until the distributed-core issue lands: the silo host.
Console.Error.WriteLine("DistTrain.Silo: not yet implemented.");
return 1;
