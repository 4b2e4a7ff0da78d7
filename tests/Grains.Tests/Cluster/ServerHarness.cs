using DistTrain.Grains.Planning;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>Drives parameter-server slices directly, playing the coordinator and the workers.</summary>
public sealed class ServerHarness
{
    private readonly IGrainFactory _grains;

    /// <summary>Sets up <paramref name="slices"/> slices over <paramref name="weights"/> with a tree of <paramref name="microShards"/> leaves.</summary>
    public static async Task<ServerHarness> Create(IGrainFactory grains, float[] weights, OptimizerSettings optimizer, int microShards, int globalBatch, int slices = 1)
    {
        var harness = new ServerHarness(grains, $"unit-{Guid.NewGuid():N}", StepPlanner.PlanSlices(weights.Length, slices));
        for (int i = 0; i < slices; i++)
        {
            var (offset, length) = harness.Slices[i];
            await harness.Server(i).Configure(new ServerSliceConfig(harness.RunId, i, offset, length, optimizer, microShards, globalBatch, 0));
            await harness.Server(i).Write(new ParameterChunk(ParameterKind.Weights, 0, 0, FloatBytes.ToBytes(weights.AsSpan(offset, length))));
            await harness.Server(i).Seal();
        }

        return harness;
    }

    private ServerHarness(IGrainFactory grains, string runId, IReadOnlyList<(int Offset, int Length)> slices)
    {
        _grains = grains;
        RunId = runId;
        Slices = slices;
    }

    /// <summary>The run id the slices serve.</summary>
    public string RunId { get; }

    /// <summary>The slices' ranges.</summary>
    public IReadOnlyList<(int Offset, int Length)> Slices { get; }

    /// <summary>Slice <paramref name="index"/>.</summary>
    public IParameterServerGrain Server(int index) => _grains.GetGrain<IParameterServerGrain>(ServerKeys.For(RunId, index));

    /// <summary>Pushes the partial sum of <paramref name="node"/> to every slice; returns whether each counted.</summary>
    public async Task<bool[]> Push(long step, ShardNode node, float[] partial)
    {
        var results = new bool[Slices.Count];
        for (int i = 0; i < Slices.Count; i++)
        {
            var (offset, length) = Slices[i];
            results[i] = await Server(i).Push(new GradientChunk(RunId, step, node, 0, FloatBytes.ToBytes(partial.AsSpan(offset, length))));
        }

        return results;
    }

    /// <summary>The coordinator's part: Σg² over the slices in slice order, then Apply on every slice.</summary>
    public async Task<ApplyResult> Apply(long step)
    {
        double sum = 0;
        for (int i = 0; i < Slices.Count; i++)
        {
            sum += await Server(i).SumOfSquares(step);
        }

        ApplyResult? first = null;
        for (int i = 0; i < Slices.Count; i++)
        {
            var result = await Server(i).Apply(step, sum);
            first ??= result;
        }

        return first!;
    }

    /// <summary>The whole weights or velocity.</summary>
    public async Task<float[]> Read(ParameterKind kind)
    {
        var result = new List<float>();
        for (int i = 0; i < Slices.Count; i++)
        {
            var chunk = await Server(i).Read(kind, 0, Slices[i].Length);
            result.AddRange(FloatBytes.AsFloats(chunk.Data).ToArray());
        }

        return [.. result];
    }
}
