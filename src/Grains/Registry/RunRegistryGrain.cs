namespace DistTrain.Grains.Registry;

/// <summary>The persisted list of run ids (key 0).</summary>
internal sealed class RunRegistryGrain(
    [PersistentState("runs", DistTrainStorage.Name)] IPersistentState<RunRegistryState> state) : Grain, IRunRegistryGrain
{
    /// <inheritdoc />
    public async Task Register(string runId)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        if (!state.State.RunIds.Contains(runId))
        {
            state.State.RunIds.Add(runId);
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>([.. state.State.RunIds]);
}

/// <summary>Persisted state of <see cref="RunRegistryGrain"/>.</summary>
[GenerateSerializer, Alias("DistTrain.RunRegistryState")]
public sealed class RunRegistryState
{
    /// <summary>Run ids in the order they were first started.</summary>
    [Id(0)]
    public List<string> RunIds { get; set; } = [];
}
