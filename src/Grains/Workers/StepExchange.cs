using System.Diagnostics;
using System.Runtime.InteropServices;
using DistTrain.Grains.Link;
using DistTrain.Grains.Planning;
using DistTrain.Grains.Servers;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;

namespace DistTrain.Grains.Workers;

/// <summary>
/// The transfers of one worker step, overlapped with its compute through
/// <see cref="ComputeHooks"/>:
/// <list type="bullet">
/// <item>Weights: slices of this silo at the step's version are copied straight from memory;
/// the others are read in bucket-sized chunks, all requested before the forward starts, and
/// each layer's forward waits only for the chunks that hold its own weights — the first layer
/// starts while the rest still arrive.</item>
/// <item>Gradients: as soon as the backward has produced a bucket's worth of layers (the last
/// layer first), that range of every partial sum is pushed to the slices of other silos,
/// while the earlier layers still compute. Slices of this silo get their part after the
/// backward, lent in memory (a whole-step sum) or in one push; with compression every slice
/// gets encoded pushes, so the result does not depend on where the slices are.</item>
/// </list>
/// The server reduces partial sums in the fixed micro-shard-tree order whatever order their
/// chunks arrive in, so none of this changes a bit of the result.
/// </summary>
internal sealed class StepExchange
{
    private readonly WorkerRunConfig _config;
    private readonly long _step;
    private readonly ModelReplica _replica;
    private readonly IReadOnlyList<SliceRoute> _routes;
    private readonly LocalSliceDirectory _slices;
    private readonly WorkerBuffers _buffers;
    private readonly object _lender;
    private readonly bool[] _bucketed;
    private readonly List<PendingRead> _reads = [];
    private readonly List<Task<bool>> _pushes = [];
    private readonly List<LocalSlice> _lent = [];
    private readonly int _bucketFloats;
    private IReadOnlyList<DevicePartialGradient>? _partials;
    private int _nextRead;
    private int _pendingLow = -1;
    private int _pendingHigh = -1;
    private int _payloads;
    private long _pullWaitTicks;
    private long? _firstLayerReady;

    /// <param name="routes">How each of <c>config.Servers</c> is reached when it is not in this silo (grain calls or a tensor link), in their order.</param>
    public StepExchange(WorkerRunConfig config, long step, ModelReplica replica, IReadOnlyList<SliceRoute> routes, LocalSliceDirectory slices, WorkerBuffers buffers, object lender)
    {
        _config = config;
        _step = step;
        _replica = replica;
        _routes = routes;
        _slices = slices;
        _buffers = buffers;
        _lender = lender;
        _bucketFloats = config.BucketBytes / sizeof(float);
        _bucketed = [.. config.Servers.Select(s => config.Compression != GradientCompression.None || !slices.Contains(s.Key))];
        Hooks = new ComputeHooks { BeforeForward = BeforeForward, Partials = p => _partials = p, GradientReady = GradientReady };
    }

    /// <summary>The hooks to compute the step with.</summary>
    public ComputeHooks Hooks { get; }

    /// <summary>Whether the compute must run on its own thread: it waits for weights in flight, or pushes during the backward.</summary>
    public bool MovesDataWhileComputing => _reads.Count > 0 || _bucketed.Any(b => b);

    /// <summary>Weight bytes taken (copied from memory or read).</summary>
    public long BytesPulled { get; private set; }

    /// <summary>Gradient bytes handed over (pushed or lent).</summary>
    public long BytesPushed { get; private set; }

    /// <summary>Bytes read from or pushed to slices outside this silo.</summary>
    public long WireBytes { get; private set; }

    /// <summary>Time the compute waited for weights.</summary>
    public TimeSpan PullWait => Stopwatch.GetElapsedTime(0, _pullWaitTicks);

    /// <summary>When the first layer's weights were all in place (or null if the compute has not started).</summary>
    public long? FirstLayerReady => _firstLayerReady;

    /// <summary>The whole-step sums lent to slices of this silo (the worker reclaims them before it overwrites its buffers).</summary>
    public IReadOnlyList<LocalSlice> Lent => _lent;

    /// <summary>
    /// Gets the weights of the step into the replica: slices of this silo at that version by
    /// copy now, every other slice by reads in buckets, started now and waited for layer by layer.
    /// </summary>
    public void StartPull()
    {
        int chunkFloats = _bucketFloats > 0 ? Math.Min(_bucketFloats, PayloadLimits.MaxChunkFloats) : PayloadLimits.MaxChunkFloats;
        for (int i = 0; i < _config.Servers.Count; i++)
        {
            ServerSlice slice = _config.Servers[i];
            if (_slices.TryCopyWeights(slice.Key, _config.RunId, _step, _replica.Weights.Slice(slice.Offset, slice.Length)))
            {
                BytesPulled += (long)slice.Length * sizeof(float);
                continue;
            }

            if (_replica.Weights.Buffer is CpuBuffer && _slices.WhenAt(slice.Key, _step) is { } applied)
            {
                // A slice of this silo still applying the step before: copied once it has.
                _reads.Add(new PendingRead(slice.Offset, slice.Length, null, null, applied, slice.Key));
                continue;
            }

            SliceRoute route = _routes[i];
            foreach (var (offset, count) in FloatBytes.Chunks(slice.Length, chunkFloats))
            {
                _reads.Add(new PendingRead(slice.Offset + offset, count, route, route.Read(ParameterKind.Weights, offset, count, atLeast: _step), null, null));
            }
        }
    }

    /// <summary>Waits for every read not yet taken (a model whose layers do not cover some range would leave it).</summary>
    public void FinishPull() => TakeReads(int.MaxValue);

    /// <summary>Pushes what the backward left, hands slices of this silo their part, and waits until every slice has taken it.</summary>
    public async Task FinishPush(DeviceGradients gradients)
    {
        _partials ??= gradients.Partials;
        if (_pendingLow >= 0)
        {
            PushRange(_pendingLow, _pendingHigh);
            _pendingLow = _pendingHigh = -1;
        }

        TreeNode root = MicroShardTree.Root(_config.MicroShards);
        for (int i = 0; i < _config.Servers.Count; i++)
        {
            if (_bucketed[i])
            {
                continue;
            }

            ServerSlice slice = _config.Servers[i];
            foreach (DevicePartialGradient partial in gradients.Partials)
            {
                if (partial.Node == root && _slices.TryLendRoot(slice.Key, _config.RunId, _step, partial.Gradient.Slice(slice.Offset, slice.Length), _lender) is { } borrower)
                {
                    _lent.Add(borrower);
                    BytesPushed += (long)slice.Length * sizeof(float); // lent in memory: the slice is in this silo
                    continue;
                }

                PushSlice(i, partial, slice.Offset, slice.Length);
            }
        }

        await Task.WhenAll(_pushes);
    }

    private void BeforeForward(int layer, int offset, int count)
    {
        TakeReads(offset + count);
        _firstLayerReady ??= Stopwatch.GetTimestamp();
    }

    /// <summary>Waits for, checks and copies into the replica every read that starts below <paramref name="end"/>.</summary>
    private void TakeReads(int end)
    {
        while (_nextRead < _reads.Count && _reads[_nextRead].Offset < end)
        {
            var (offset, count, route, read, applied, localKey) = _reads[_nextRead];
            long start = Stopwatch.GetTimestamp();
            if (applied is not null)
            {
                applied.WaitAsync(LocalSlice.VersionPatience).GetAwaiter().GetResult(); // on the worker's compute thread, never a pool thread
                _pullWaitTicks += Stopwatch.GetTimestamp() - start;
                if (!_slices.TryCopyWeights(localKey!, _config.RunId, _step, _replica.Weights.Slice(offset, count)))
                {
                    throw new InvalidOperationException($"Run '{_config.RunId}': slice '{localKey}' of this silo holds no weights of version {_step} (it moved past it or was reconfigured).");
                }

                BytesPulled += (long)count * sizeof(float);
                _nextRead++;
                continue;
            }

            ParameterChunk chunk = read!.GetAwaiter().GetResult(); // on the worker's compute thread, never a pool thread
            _pullWaitTicks += Stopwatch.GetTimestamp() - start;
            if (chunk.Version != _step)
            {
                throw new InvalidOperationException($"Run '{_config.RunId}': a server slice holds weights of version {chunk.Version}, but step {_step} needs version {_step}.");
            }

            ReadOnlySpan<float> values = FloatBytes.AsFloats(chunk.Data);
            if (values.Length != count)
            {
                throw new InvalidOperationException($"Run '{_config.RunId}': a slice answered {values.Length} weights for a read of {count}.");
            }

            _replica.Weights.Slice(offset, count).Upload(values);
            BytesPulled += chunk.Data.Length;
            WireBytes += chunk.Data.Length;
            route!.Release(chunk);
            _nextRead++;
        }
    }

    /// <summary>Layer gradients arrive last layer first, each range just below the previous: push once a bucket is full.</summary>
    private void GradientReady(int layer, int offset, int count)
    {
        if (_pendingLow < 0)
        {
            _pendingHigh = offset + count;
        }

        _pendingLow = offset;
        if (_bucketFloats > 0 && _pendingHigh - _pendingLow >= _bucketFloats)
        {
            PushRange(_pendingLow, _pendingHigh);
            _pendingLow = _pendingHigh = -1;
        }
    }

    /// <summary>Pushes <c>[low, high)</c> of every partial sum to the bucketed slices it overlaps.</summary>
    private void PushRange(int low, int high)
    {
        for (int i = 0; i < _config.Servers.Count; i++)
        {
            ServerSlice slice = _config.Servers[i];
            int from = Math.Max(low, slice.Offset);
            int to = Math.Min(high, slice.Offset + slice.Length);
            if (!_bucketed[i] || from >= to)
            {
                continue;
            }

            foreach (DevicePartialGradient partial in _partials!)
            {
                PushSlice(i, partial, from, to - from);
            }
        }
    }

    /// <summary>Pushes <c>[offset, offset + count)</c> (flat layout) of one partial sum to slice <paramref name="index"/>, in chunks, encoded as configured.</summary>
    private void PushSlice(int index, DevicePartialGradient partial, int offset, int count)
    {
        ServerSlice slice = _config.Servers[index];
        SliceRoute server = _routes[index];
        var node = new ShardNode(partial.Node.Level, partial.Node.Index);
        bool wire = !_slices.Contains(slice.Key);
        foreach (var (at, floats) in FloatBytes.Chunks(count))
        {
            BufferSpan source = partial.Gradient.Slice(offset + at, floats);
            byte[] data;
            if (_config.Compression == GradientCompression.Bf16)
            {
                data = _buffers.Payload(_payloads++, floats * sizeof(ushort));
                Span<float> values = _buffers.Scratch(floats);
                source.Buffer.Download(values, source.Offset);
                Bf16.EncodeWithFeedback(values, _buffers.Residual(partial.Node, _replica.Layout.Total).AsSpan(offset + at, floats), MemoryMarshal.Cast<byte, ushort>(data.AsSpan()));
            }
            else
            {
                data = _buffers.Payload(_payloads++, floats * sizeof(float));
                source.Buffer.Download(MemoryMarshal.Cast<byte, float>(data.AsSpan()), source.Offset);
            }

            BytesPushed += data.Length;
            WireBytes += wire ? data.Length : 0;
            _pushes.Add(server.Push(new GradientChunk(_config.RunId, _step, node, offset + at - slice.Offset, data, _config.Compression)));
        }
    }

    /// <summary>
    /// Weights still to come into the replica at <c>[Offset, +Count)</c>: a read in flight from a
    /// slice elsewhere (<c>Route</c>, <c>Read</c>), or a slice of this silo that is still
    /// applying the step before (<c>Applied</c>, then copied from <c>LocalKey</c>).
    /// </summary>
    private sealed record PendingRead(int Offset, int Count, SliceRoute? Route, Task<ParameterChunk>? Read, Task? Applied, string? LocalKey);
}
