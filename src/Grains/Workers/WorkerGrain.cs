using System.Diagnostics;
using System.Runtime.InteropServices;
using DistTrain.Grains.Data;
using DistTrain.Grains.Devices;
using DistTrain.Grains.Placement;
using DistTrain.Grains.Planning;
using DistTrain.Grains.Servers;
using DistTrain.Grains.Telemetry;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace DistTrain.Grains.Workers;

/// <summary>
/// Drives one compute device of its silo. Keeps a <see cref="ModelReplica"/> of the run on
/// the device, fetches the weights of a step from the parameter-server slices only when its
/// copy is older (or computes straight from a slice of its own silo, borrowed for the step), reads its micro-shards from the silo's data source, and pushes one
/// partial gradient sum per micro-shard-tree cover node to every slice.
/// </summary>
/// <remarks>
/// Pinned with <see cref="SiloPinnedPlacementAttribute"/>: the key
/// <c>{silo}/{device}</c> (handed out by that silo's <see cref="IDeviceRegistryGrain"/>)
/// names the silo, so the worker is only ever activated where its device is; when that
/// silo is gone its calls fail and the coordinator re-plans over the other workers.
/// </remarks>
[SiloPinnedPlacement]
internal sealed partial class WorkerGrain(
    ComputeDeviceCatalog devices,
    IDataSetProvider dataSets,
    LocalSliceDirectory slices,
    ILocalSiloDetails silo,
    ILogger<WorkerGrain> logger) : Grain, IWorkerGrain
{
    private ComputeDevice? _device;
    private IComputeBackend? _backend;
    private WorkerRunConfig? _config;
    private ModelReplica? _replica;
    private IDataSet? _data;
    private BatchPlan? _plan;
    private float[] _weights = [];
    private readonly List<byte[]> _pushBuffers = [];
    private readonly List<LocalSlice> _lent = [];
    private long _version = -1;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        SiloAddress owner = SiloPinnedKey.SiloOf(key);
        if (!owner.Equals(silo.SiloAddress))
        {
            throw new InvalidOperationException($"Worker '{key}' belongs to silo {owner} but was activated on {silo.SiloAddress}.");
        }

        _device = devices.Get(SiloPinnedKey.DeviceOf(key));
        _backend = _device.CreateBackend();
        LogActivated(key, _backend.Name);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<DeviceInfo> GetDevice() =>
        Task.FromResult(new DeviceInfo(this.GetPrimaryKeyString(), silo.SiloAddress.ToParsableString(), _device!.Id, _device.Description));

    /// <inheritdoc />
    public async Task<WorkerStepReport> ComputeStep(WorkerStepRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        WorkerRunConfig config = request.Config;
        Prepare(config);

        long start = Stopwatch.GetTimestamp();
        ReclaimLoans(); // the compute below overwrites the sums a slice may still hold on loan
        long bytesPulled = 0;
        long pulled;
        DeviceGradients gradients;
        LocalSlice.WeightsLoan? borrowed = _version != request.Step ? BorrowLocalWeights(config, request.Step) : null;
        try
        {
            if (borrowed is not null)
            {
                bytesPulled = (long)borrowed.Weights.Length * sizeof(float); // shared in memory, not copied
                _version = -1; // the replica's own copy is left behind: never reuse it for an old version
            }
            else if (_version != request.Step)
            {
                bytesPulled = await PullWeights(config, request.Step);
            }

            pulled = Stopwatch.GetTimestamp();
            BufferSpan weights = borrowed?.Weights ?? _replica!.Weights;
            gradients = _replica!.ComputeGradientSums(_data!, _plan!, request.Step, request.FirstShard, request.ShardCount, weights);
        }
        finally
        {
            borrowed?.Dispose(); // before the step's result can reach the coordinator, which then applies it
        }

        long computed = Stopwatch.GetTimestamp();
        long bytesPushed = await PushPartials(config, request.Step, gradients);
        long pushed = Stopwatch.GetTimestamp();

        var tags = TrainingMetrics.Run(config.RunId);
        TrainingMetrics.BytesPulled.Add(bytesPulled, tags);
        TrainingMetrics.BytesPushed.Add(bytesPushed, tags);
        return new WorkerStepReport(
            request.Step,
            gradients.LossSum,
            gradients.Correct,
            gradients.Samples,
            Stopwatch.GetElapsedTime(start, pulled).TotalMilliseconds,
            Stopwatch.GetElapsedTime(pulled, computed).TotalMilliseconds,
            Stopwatch.GetElapsedTime(computed, pushed).TotalMilliseconds,
            bytesPulled,
            bytesPushed);
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ReclaimLoans();
        _replica?.Dispose();
        _replica = null;
        _backend?.Dispose();
        _backend = null;
        return Task.CompletedTask;
    }

    /// <summary>Builds the replica, the data source and the batch plan when the run (or its model or data) changes.</summary>
    private void Prepare(WorkerRunConfig config)
    {
        if (_config is { } current
            && current.RunId == config.RunId
            && current.ModelSpecJson == config.ModelSpecJson
            && current.Data == config.Data
            && current.BatchSize == config.BatchSize
            && current.MicroShards == config.MicroShards
            && current.Seed == config.Seed)
        {
            _config = config; // the slices may have moved
            return;
        }

        ReclaimLoans();
        _replica?.Dispose();
        _replica = null;
        var spec = ModelSpec.FromJson(config.ModelSpecJson);
        _data = dataSets.Get(config.Data);
        _plan = new BatchPlan(_data.Count, config.BatchSize, config.MicroShards, config.Seed);
        _replica = new ModelReplica(spec, _backend!);
        _weights = new float[_replica.Layout.Total];
        _version = -1;
        _config = config;
        LogPrepared(config.RunId, _replica.Layout.Total, _data.Count);
    }

    /// <summary>
    /// Fetches the weights of version <paramref name="step"/>: copied straight from the slices'
    /// memory when they are all in this silo at that version (<see cref="LocalSliceDirectory"/>),
    /// else read from every slice in grain calls (chunks in parallel).
    /// </summary>
    private async Task<long> PullWeights(WorkerRunConfig config, long step)
    {
        if (CopyLocalSlices(config, step))
        {
            _version = step;
            return (long)_weights.Length * sizeof(float);
        }

        var reads = new List<Task<ParameterChunk>>();
        var bases = new List<int>();
        foreach (ServerSlice slice in config.Servers)
        {
            var server = GrainFactory.GetGrain<IParameterServerGrain>(slice.Key);
            foreach (var (offset, count) in FloatBytes.Chunks(slice.Length))
            {
                reads.Add(server.Read(ParameterKind.Weights, offset, count));
                bases.Add(slice.Offset);
            }
        }

        ParameterChunk[] chunks = await Task.WhenAll(reads);
        if (chunks.Length == 1 && chunks[0].Version == step && chunks[0].Data.Length == _weights.Length * sizeof(float))
        {
            // One slice, one chunk (the common case): straight into the replica, one copy fewer.
            _replica!.SetWeights(FloatBytes.AsFloats(chunks[0].Data));
            _version = step;
            return chunks[0].Data.Length;
        }

        long bytes = 0;
        for (int i = 0; i < chunks.Length; i++)
        {
            ParameterChunk chunk = chunks[i];
            if (chunk.Version != step)
            {
                _version = -1;
                throw new InvalidOperationException($"Run '{config.RunId}': a server slice holds weights of version {chunk.Version}, but step {step} needs version {step}.");
            }

            FloatBytes.AsFloats(chunk.Data).CopyTo(_weights.AsSpan(bases[i] + chunk.Offset));
            bytes += chunk.Data.Length;
        }

        _replica!.SetWeights(_weights);
        _version = step;
        return bytes;
    }

    /// <summary>
    /// The weights of version <paramref name="step"/> lent for this step's compute, when one slice
    /// of this silo holds them all (no copy at all); null otherwise.
    /// </summary>
    private LocalSlice.WeightsLoan? BorrowLocalWeights(WorkerRunConfig config, long step)
    {
        if (config.Servers is not [{ Offset: 0 } slice] || slice.Length != _replica!.Layout.Total || _replica.Weights.Buffer is not CpuBuffer)
        {
            return null; // several slices, or a device engine that cannot compute on host memory
        }

        return slices.TryBorrowWeights(slice.Key, config.RunId, step);
    }

    /// <summary>Takes back every whole-step sum lent to a slice of this silo (a slice that has not applied it yet keeps a copy).</summary>
    private void ReclaimLoans()
    {
        foreach (LocalSlice slice in _lent)
        {
            slice.Reclaim(this);
        }

        _lent.Clear();
    }

    /// <summary>True when every slice of <paramref name="config"/> is in this silo at <paramref name="step"/> and was copied into the replica's weights.</summary>
    private bool CopyLocalSlices(WorkerRunConfig config, long step)
    {
        foreach (ServerSlice slice in config.Servers)
        {
            if (!slices.TryCopyWeights(slice.Key, config.RunId, step, _replica!.Weights.Slice(slice.Offset, slice.Length)))
            {
                return false; // the grain reads then overwrite whatever was copied
            }
        }

        return config.Servers.Count > 0;
    }

    /// <summary>
    /// Pushes every cover node's partial sum to every slice, chunked, each chunk downloaded
    /// from the replica straight into its message payload. A whole-step sum (one worker) is lent
    /// to a slice of this silo instead (<see cref="LocalSliceDirectory"/>): the slice reads it
    /// where it is until it applies the step or this worker reclaims it.
    /// </summary>
    /// <remarks>
    /// Payload arrays are reused from step to step (no 2 MB large-object allocation per chunk
    /// and step, whose collections slowed the compute). That is safe because every push is
    /// awaited before the next step and the server copies a chunk into its tree before it
    /// returns; a stale message still in flight belongs to an applied step, which the server
    /// ignores, and a retried step carries the same bits.
    /// </remarks>
    private async Task<long> PushPartials(WorkerRunConfig config, long step, DeviceGradients gradients)
    {
        var pushes = new List<Task<bool>>();
        long bytes = 0;
        int index = 0;
        foreach (DevicePartialGradient partial in gradients.Partials)
        {
            var node = new ShardNode(partial.Node.Level, partial.Node.Index);
            bool root = partial.Node == MicroShardTree.Root(config.MicroShards);
            foreach (ServerSlice slice in config.Servers)
            {
                if (root && slices.TryLendRoot(slice.Key, config.RunId, step, partial.Gradient.Slice(slice.Offset, slice.Length), this) is { } borrower)
                {
                    _lent.Add(borrower);
                    bytes += (long)slice.Length * sizeof(float); // lent in memory: the slice is in this silo
                    continue;
                }

                var server = GrainFactory.GetGrain<IParameterServerGrain>(slice.Key);
                foreach (var (offset, count) in FloatBytes.Chunks(slice.Length))
                {
                    byte[] data = PushBuffer(index++, count);
                    BufferSpan source = partial.Gradient.Slice(slice.Offset + offset, count);
                    source.Buffer.Download(MemoryMarshal.Cast<byte, float>(data.AsSpan()), source.Offset);
                    bytes += data.Length;
                    pushes.Add(server.Push(new GradientChunk(config.RunId, step, node, offset, data)));
                }
            }
        }

        await Task.WhenAll(pushes);
        return bytes;
    }

    /// <summary>The payload array for push <paramref name="index"/> of a step, for <paramref name="floats"/> floats.</summary>
    private byte[] PushBuffer(int index, int floats)
    {
        while (_pushBuffers.Count <= index)
        {
            _pushBuffers.Add([]);
        }

        if (_pushBuffers[index].Length != floats * sizeof(float))
        {
            _pushBuffers[index] = GC.AllocateUninitializedArray<byte>(floats * sizeof(float));
        }

        return _pushBuffers[index];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Key} activated on engine {Engine}")]
    private partial void LogActivated(string key, string engine);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: worker replica of {Parameters} parameters over {Samples} samples")]
    private partial void LogPrepared(string runId, int parameters, int samples);
}
