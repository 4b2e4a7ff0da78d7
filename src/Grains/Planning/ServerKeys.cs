namespace DistTrain.Grains.Planning;

/// <summary>Keys of the parameter-server grains of a run.</summary>
public static class ServerKeys
{
    /// <summary><c>{runId}/{slice}</c>.</summary>
    public static string For(string runId, int slice) => $"{runId}/{slice}";
}
