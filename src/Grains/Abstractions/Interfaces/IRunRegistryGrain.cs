namespace DistTrain.Grains;

/// <summary>The ids of every run started in the cluster (key: 0), for listing.</summary>
public interface IRunRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Records a run id (idempotent).</summary>
    Task Register(string runId);

    /// <summary>All run ids, in the order they were first started.</summary>
    Task<IReadOnlyList<string>> List();
}
