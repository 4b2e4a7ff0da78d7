namespace DistTrain.Grains;

/// <summary>Where a parameter-server slice is: its grain key and the floats it owns.</summary>
/// <param name="Key">Key of the <see cref="IParameterServerGrain"/>.</param>
/// <param name="Offset">First float owned, in the flat vector.</param>
/// <param name="Length">Floats owned.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.ServerSlice")]
public sealed record ServerSlice(
    [property: Id(0)] string Key,
    [property: Id(1)] int Offset,
    [property: Id(2)] int Length);
