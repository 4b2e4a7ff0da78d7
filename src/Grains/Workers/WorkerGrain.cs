using System.Diagnostics;
using DistTrain.Grains.Data;
using DistTrain.Grains.Devices;
using DistTrain.Grains.Link;
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
    TensorLinkClient links,
    ILocalSiloDetails silo,
    Plugins.SiloLayerTypes layerTypes,
    ILogger<WorkerGrain> logger) : Grain, IWorkerGrain
{
    private ComputeDevice? _device;
    private IComputeBackend? _backend;
    private WorkerRunConfig? _config;
    private ModelReplica? _replica;
    private IDataSet? _data;
    private BatchPlan? _plan;
    private WorkerBuffers _buffers = new();

    /// <summary>
    /// Each recent run's buffers: runs that share this worker take turns on its replica, and a
    /// run's error-feedback residuals must survive the other's steps (or its compressed pushes
    /// would depend on how the runs interleave). At most <see cref="RunBufferLimit"/> runs.
    /// </summary>
    private readonly Dictionary<string, (WorkerRunConfig Config, WorkerBuffers Buffers, long LastUse)> _runBuffers = [];
    private long _uses;
    private const int RunBufferLimit = 4;
    private readonly List<LocalSlice> _lent = [];
    private ComputeThread? _thread;
    private long _version = -1;

    /// <summary>The route to each slice of another silo, by run and slice key (a link found faulted is looked up again).</summary>
    private readonly Dictionary<(string Run, string Key), SliceRoute> _routes = [];
    private const int RouteLimit = 64;

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
        try
        {
            IReadOnlyList<SliceRoute> routes = await RoutesOf(config);
            return await ComputeStep(request, config, routes);
        }
        catch
        {
            // A failed step may come from a stale route (a slice that moved, a silo that went away): look them up
            // again next time. Its links are closed, so that no push still queued on them can send a payload
            // array this worker is about to reuse.
            foreach (var key in _routes.Keys.Where(k => k.Run == config.RunId).ToList())
            {
                if (_routes.Remove(key, out SliceRoute? route) && route.Link is { } link)
                {
                    await link.DisposeAsync();
                }
            }

            throw;
        }
    }

    private async Task<WorkerStepReport> ComputeStep(WorkerStepRequest request, WorkerRunConfig config, IReadOnlyList<SliceRoute> routes)
    {
        long start = Stopwatch.GetTimestamp();
        ReclaimLoans(); // the compute below overwrites the sums a slice may still hold on loan
        _buffers.BeginStep(request.FirstShard, request.ShardCount, request.Step);
        var exchange = new StepExchange(config, request.Step, _replica!, routes, slices, _buffers, this);
        long bytesPulled = 0;
        DeviceGradients gradients;
        LocalSlice.WeightsLoan? borrowed = _version != request.Step ? BorrowLocalWeights(config, request.Step) : null;
        try
        {
            BufferSpan weights = _replica!.Weights;
            if (borrowed is not null)
            {
                bytesPulled = (long)borrowed.Weights.Length * sizeof(float); // shared in memory, not copied
                weights = borrowed.Weights;
                _version = -1; // the replica's own copy is left behind: never reuse it for an old version
            }
            else if (_version != request.Step)
            {
                _version = -1; // until every read has landed
                exchange.StartPull();
            }

            Func<DeviceGradients> compute = () =>
            {
                DeviceGradients result = _replica.ComputeGradientSums(_data!, _plan!, request.Step, request.FirstShard, request.ShardCount, weights, exchange.Hooks);
                exchange.FinishPull();
                return result;
            };
            gradients = exchange.MovesDataWhileComputing ? await ComputeThread().Run(compute) : compute();
            if (borrowed is null)
            {
                _version = request.Step;
            }
        }
        finally
        {
            borrowed?.Dispose(); // before the step's result can reach the coordinator, which then applies it
        }

        long computed = Stopwatch.GetTimestamp();
        await exchange.FinishPush(gradients);
        _lent.AddRange(exchange.Lent);
        long pushed = Stopwatch.GetTimestamp();

        bytesPulled += exchange.BytesPulled;
        long firstLayer = exchange.FirstLayerReady ?? computed;
        double pullWait = exchange.PullWait.TotalMilliseconds;
        double computeMs = Stopwatch.GetElapsedTime(start, computed).TotalMilliseconds - pullWait;
        var tags = TrainingMetrics.Run(config.RunId);
        TrainingMetrics.BytesPulled.Add(bytesPulled, tags);
        TrainingMetrics.BytesPushed.Add(exchange.BytesPushed, tags);
        TrainingMetrics.WireBytes.Add(exchange.WireBytes, tags);
        var workerTags = TrainingMetrics.Worker(config.RunId, this.GetPrimaryKeyString());
        TrainingMetrics.WorkerComputeTime.Record(computeMs, workerTags);
        TrainingMetrics.WorkerPullWait.Record(pullWait, workerTags);
        TrainingMetrics.WorkerPushWait.Record(Stopwatch.GetElapsedTime(computed, pushed).TotalMilliseconds, workerTags);
        return new WorkerStepReport(
            request.Step,
            gradients.LossSum,
            gradients.Correct,
            gradients.Samples,
            Stopwatch.GetElapsedTime(start, firstLayer).TotalMilliseconds,
            computeMs,
            Stopwatch.GetElapsedTime(computed, pushed).TotalMilliseconds,
            bytesPulled,
            exchange.BytesPushed,
            exchange.WireBytes,
            pullWait,
            Stopwatch.GetElapsedTime(computed, pushed).TotalMilliseconds);
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ReclaimLoans();
        _thread?.Dispose();
        _thread = null;
        _replica?.Dispose();
        _replica = null;
        _backend?.Dispose();
        _backend = null;
        return Task.CompletedTask;
    }

    /// <summary>Builds the replica, the data source and the batch plan when the run (or its model or data) changes.</summary>
    private static bool SameRun(WorkerRunConfig a, WorkerRunConfig b) =>
        a.RunId == b.RunId
        && a.ModelSpecJson == b.ModelSpecJson
        && a.Data == b.Data
        && a.BatchSize == b.BatchSize
        && a.MicroShards == b.MicroShards
        && a.Seed == b.Seed;

    /// <summary>The buffers of <paramref name="config"/>'s run: kept from its earlier steps, or fresh for a new run (or a new run under an old id).</summary>
    private WorkerBuffers BuffersOf(WorkerRunConfig config)
    {
        long use = ++_uses;
        if (_runBuffers.TryGetValue(config.RunId, out var entry) && SameRun(entry.Config, config))
        {
            _runBuffers[config.RunId] = entry with { Config = config, LastUse = use };
            return entry.Buffers;
        }

        if (_runBuffers.Count >= RunBufferLimit && !_runBuffers.ContainsKey(config.RunId))
        {
            _runBuffers.Remove(_runBuffers.MinBy(e => e.Value.LastUse).Key);
        }

        var buffers = new WorkerBuffers();
        _runBuffers[config.RunId] = (config, buffers, use);
        return buffers;
    }

    private void Prepare(WorkerRunConfig config)
    {
        if (_config is { } current && SameRun(current, config))
        {
            _config = config; // the slices may have moved
            return;
        }

        ReclaimLoans();
        _replica?.Dispose();
        _replica = null;
        var spec = ModelSpec.FromJson(config.ModelSpecJson, layerTypes.Resolver);
        _data = dataSets.Get(config.Data);
        _plan = new BatchPlan(_data.Count, config.BatchSize, config.MicroShards, config.Seed);
        _replica = new ModelReplica(spec, _backend!);
        _buffers = BuffersOf(config);
        _version = -1;
        _config = config;
        LogPrepared(config.RunId, _replica.Layout.Total, _data.Count);
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

    /// <summary>
    /// How each slice of <paramref name="config"/> is reached: slices of this silo need no route
    /// (their memory is shared; a grain-call route is kept for the rare fallback), others go
    /// through their silo's tensor link when it has one that opens, else by grain calls.
    /// </summary>
    private async Task<IReadOnlyList<SliceRoute>> RoutesOf(WorkerRunConfig config)
    {
        var routes = new SliceRoute[config.Servers.Count];
        for (int i = 0; i < routes.Length; i++)
        {
            string key = config.Servers[i].Key;
            if (_routes.TryGetValue((config.RunId, key), out SliceRoute? known) && known.Link?.IsFaulted != true)
            {
                routes[i] = known;
                continue;
            }

            var grain = GrainFactory.GetGrain<IParameterServerGrain>(key);
            LinkConnection? link = null;
            if (links.Enabled && !slices.Contains(key) && await grain.GetLink() is { } address)
            {
                link = await links.Connect(address);
            }

            if (_routes.Count >= RouteLimit)
            {
                _routes.Clear();
            }

            routes[i] = _routes[(config.RunId, key)] = new SliceRoute(key, grain, link);
        }

        return routes;
    }

    /// <summary>The worker's own compute thread, started on first use.</summary>
    private ComputeThread ComputeThread() => _thread ??= new ComputeThread($"DistTrain worker {this.GetPrimaryKeyString()}");

    /// <summary>Takes back every whole-step sum lent to a slice of this silo (a slice that has not applied it yet keeps a copy).</summary>
    private void ReclaimLoans()
    {
        foreach (LocalSlice slice in _lent)
        {
            slice.Reclaim(this);
        }

        _lent.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Key} activated on engine {Engine}")]
    private partial void LogActivated(string key, string engine);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: worker replica of {Parameters} parameters over {Samples} samples")]
    private partial void LogPrepared(string runId, int parameters, int samples);
}
