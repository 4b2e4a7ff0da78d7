namespace DistTrain.Grains;

/// <summary>Names of the Orleans providers the grains use.</summary>
public static class DistTrainStorage
{
    /// <summary>Grain-storage provider of the coordinator's and the registry's state.</summary>
    public const string Name = "disttrain";
}
