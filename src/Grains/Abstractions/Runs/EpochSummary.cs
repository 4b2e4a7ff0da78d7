namespace DistTrain.Grains;

/// <summary>Training metrics of one finished epoch.</summary>
/// <param name="Epoch">Epoch number, from 0.</param>
/// <param name="Loss">Mean training loss over the epoch's samples.</param>
/// <param name="Accuracy">Training accuracy over the epoch's samples.</param>
/// <param name="Steps">Steps in the epoch.</param>
/// <param name="Seconds">Wall time of the epoch.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.EpochSummary")]
public sealed record EpochSummary(
    [property: Id(0)] int Epoch,
    [property: Id(1)] double Loss,
    [property: Id(2)] double Accuracy,
    [property: Id(3)] long Steps,
    [property: Id(4)] double Seconds);
