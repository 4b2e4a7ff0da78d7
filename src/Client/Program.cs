// Placeholder until the console issue lands.
Console.Error.WriteLine("disttrain: not yet implemented.");
return 1;
