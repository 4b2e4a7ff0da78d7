namespace DistTrain.Grains;

/// <summary>Where a silo's tensor link listens, and which silo it is (so a worker drops its connection when that silo is declared dead).</summary>
/// <param name="Endpoint">The listener, <c>ip:port</c>.</param>
/// <param name="Silo">The silo, as <c>SiloAddress.ToParsableString()</c> writes it.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.LinkAddress")]
public sealed record LinkAddress(
    [property: Id(0)] string Endpoint,
    [property: Id(1)] string Silo);
