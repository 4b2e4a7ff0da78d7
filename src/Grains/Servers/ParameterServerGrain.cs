using DistTrain.Grains.Devices;
using DistTrain.Grains.Planning;
using DistTrain.Grains.Runs;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Optim;
using DistTrain.Kernels.Training;
using Microsoft.Extensions.Logging;

namespace DistTrain.Grains.Servers;

/// <summary>
/// One slice of a run's parameters: weights, the optimiser's state vectors (its slice of
/// each), and the partial gradients of the current step, reduced with <see cref="TreeReducer"/>
/// in the fixed micro-shard-tree order. The update is <see cref="Optimizer"/>'s, the same code
/// as the local loop's; the slice counts the updates it applied (Adam's bias correction). State is
/// held in memory only: after a failure the coordinator restores the slice from the last
/// checkpoint.
/// </summary>
/// <remarks>
/// Placed on the silo its coordinator names as its home (<see cref="Placement.SliceHomePlacement"/>:
/// one slice per silo with workers by default), else beside the caller; the engine is the
/// silo's server engine, the CPU by default.
/// </remarks>
[Placement.SliceHomePlacement]
internal sealed partial class ParameterServerGrain(ComputeDeviceCatalog devices, LocalSliceDirectory directory, Link.TensorLinkServer link, ILogger<ParameterServerGrain> logger) : Grain, IParameterServerGrain
{
    private readonly Dictionary<ShardNode, PartialAssembly> _pending = [];
    private readonly HashSet<ShardNode> _received = [];
    private readonly Stack<float[]> _pool = new();
    private float[] _decoded = [];
    private IComputeBackend? _backend;
    private ServerSliceConfig? _config;
    private OptimizerSpec? _spec;
    private DeviceBuffer? _weights;
    private DeviceBuffer[] _state = [];
    private long _updates;
    private DeviceBuffer? _gradient;
    private TreeReducer? _reducer;
    private long _version;
    private double? _sumOfSquares;
    private ApplyResult? _lastApply;
    private LocalSlice? _local;
    private bool _rootUploaded;
    private bool _sealed;
    private long _generation;

    /// <inheritdoc />
    public Task Configure(ServerSliceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegative(config.Length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.GlobalBatch);
        MicroShardTree.CheckLeafCount(config.MicroShards);
        var spec = config.Optimizer.ToSpec();
        Admit(config.RunId);
        FreeBuffers();
        _backend ??= devices.Server.CreateBackend();
        _config = config;
        _spec = spec;
        _weights = _backend.Allocate(config.Length);
        _state = AllocateState(_backend, spec, config.Length);
        _updates = config.AppliedUpdates;
        _gradient = _backend.Allocate(config.Length);
        _reducer = new TreeReducer(config.MicroShards, config.Length);
        _version = config.Step;
        _lastApply = null;
        _sealed = false;
        ResetStep();
        LogConfigured(config.RunId, config.Slice, config.Offset, config.Length, config.Step);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task Seal()
    {
        var config = RequireConfig();
        Admit(config.RunId);
        if (_sealed)
        {
            return Task.CompletedTask;
        }

        _sealed = true;
        if (_backend is Kernels.Backends.Cpu.CpuBackend)
        {
            // Host memory that any thread may read: workers of this silo take the weights directly.
            _local = new LocalSlice(config.RunId, _backend, _weights!, _gradient!, _version);
            directory.Publish(this.GetPrimaryKeyString(), _local);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long?> GetVersion(string runId) =>
        Task.FromResult(_config is not null && _sealed && _config.RunId == runId ? _version : (long?)null);

    /// <inheritdoc />
    public Task<LinkAddress?> GetLink() => Task.FromResult(link.Host(this.GetPrimaryKeyString()));

    /// <inheritdoc />
    public Task Write(ParameterChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var config = RequireConfig();
        Admit(config.RunId);
        if (chunk.Version != _version)
        {
            throw new InvalidOperationException($"Slice {config.Slice} of run '{config.RunId}' is at version {_version}; a write for version {chunk.Version} does not fit.");
        }

        byte[] data = chunk.Data;
        BufferSpan target = Target(chunk.Kind).Slice(chunk.Offset, data.Length / sizeof(float));
        if (chunk.Kind == ParameterKind.Weights)
        {
            ChangeWeights(_ => target.Upload(FloatBytes.AsFloats(data)), _version);
        }
        else
        {
            target.Upload(FloatBytes.AsFloats(data));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ParameterChunk> Read(ParameterKind kind, int offset, int count)
    {
        RequireServing();
        if (count > PayloadLimits.MaxChunkFloats)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Read at most {PayloadLimits.MaxChunkFloats} floats per chunk, got {count}.");
        }

        BufferSpan source = Target(kind).Slice(offset, count);
        var bytes = GC.AllocateUninitializedArray<byte>(count * sizeof(float)); // overwritten whole just below
        source.Buffer.Download(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan()), source.Offset);
        return Task.FromResult(new ParameterChunk(kind, _version, offset, bytes));
    }

    /// <inheritdoc />
    public Task<bool> Push(GradientChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var config = RequireServing();
        if (chunk.RunId != config.RunId)
        {
            throw new InvalidOperationException($"Slice {config.Slice} serves run '{config.RunId}', not '{chunk.RunId}'.");
        }

        if (chunk.Step < _version)
        {
            return Task.FromResult(false); // already applied: a late duplicate
        }

        if (chunk.Step > _version)
        {
            throw new InvalidOperationException($"Slice {config.Slice} of run '{config.RunId}' is at step {_version}; a push for step {chunk.Step} is early.");
        }

        if (chunk.Node.Level < 0 || chunk.Node.Index < 0 || chunk.Node.First + chunk.Node.Count > config.MicroShards)
        {
            throw new ArgumentOutOfRangeException(nameof(chunk), $"Node {chunk.Node} is outside a tree of {config.MicroShards} micro-shards.");
        }

        AbsorbDeposit();
        if (_received.Contains(chunk.Node) || _rootUploaded)
        {
            return Task.FromResult(false);
        }

        ReadOnlySpan<float> values = Decode(chunk);
        TreeNode root = MicroShardTree.Root(config.MicroShards);
        if (chunk.Offset == 0 && values.Length == config.Length && chunk.Node.Level == root.Level && _received.Count == 0 && _pending.Count == 0)
        {
            // The whole sum from one worker in one chunk (a single worker): it is the reduced gradient already.
            _gradient!.Upload(values);
            TakeRoot(chunk.Node);
            return Task.FromResult(true);
        }

        if (chunk.Offset == 0 && values.Length == config.Length && !_pending.ContainsKey(chunk.Node))
        {
            // The whole partial in one chunk (the common case): straight into the tree, one copy fewer.
            _received.Add(chunk.Node);
            _sumOfSquares = null;
            return Task.FromResult(_reducer!.Add(new TreeNode(chunk.Node.Level, chunk.Node.Index), values));
        }

        if (!_pending.TryGetValue(chunk.Node, out var assembly))
        {
            assembly = new PartialAssembly(Rent());
            _pending.Add(chunk.Node, assembly);
        }

        if (!assembly.Add(chunk.Offset, values))
        {
            return Task.FromResult(false);
        }

        bool counted = true;
        if (assembly.IsComplete)
        {
            _pending.Remove(chunk.Node);
            _received.Add(chunk.Node);
            counted = _reducer!.Add(new TreeNode(chunk.Node.Level, chunk.Node.Index), assembly.Buffer); // false: leaves already covered
            _pool.Push(assembly.Buffer);
            _sumOfSquares = null;
        }

        return Task.FromResult(counted);
    }

    /// <summary>The floats a pushed chunk carries: its bytes as they are, or widened from bfloat16 into a reused scratch array.</summary>
    private ReadOnlySpan<float> Decode(GradientChunk chunk)
    {
        switch (chunk.Encoding)
        {
            case GradientCompression.None:
                return FloatBytes.AsFloats(chunk.Data);
            case GradientCompression.Bf16:
                if (chunk.Data.Length % sizeof(ushort) != 0)
                {
                    throw new ArgumentException($"A bfloat16 payload of {chunk.Data.Length} bytes is not a whole number of values.", nameof(chunk));
                }

                int count = chunk.Data.Length / sizeof(ushort);
                if (_decoded.Length < count)
                {
                    _decoded = GC.AllocateUninitializedArray<float>(count);
                }

                Span<float> values = _decoded.AsSpan(0, count);
                Bf16.Decode(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(chunk.Data.AsSpan()), values);
                return values;
            default:
                throw new ArgumentOutOfRangeException(nameof(chunk), $"Unknown gradient encoding {chunk.Encoding}.");
        }
    }

    /// <inheritdoc />
    public Task<double> SumOfSquares(long step)
    {
        var config = RequireServing();
        Admit(config.RunId);
        if (step != _version)
        {
            throw new InvalidOperationException($"Slice {config.Slice} of run '{config.RunId}' is at step {_version}, not {step}.");
        }

        return Task.FromResult(ReduceCurrentStep());
    }

    /// <inheritdoc />
    public Task<ApplyResult> Apply(long step, double globalSumOfSquares)
    {
        var config = RequireServing();
        Admit(config.RunId);
        if (_lastApply is not null && _lastApply.Step == step)
        {
            return Task.FromResult(_lastApply); // a retried call: the step is applied once
        }

        if (step != _version)
        {
            throw new InvalidOperationException($"Slice {config.Slice} of run '{config.RunId}' is at step {_version}; cannot apply step {step}.");
        }

        ReduceCurrentStep();
        StepDecision decision = Optimizer.Decide(_spec!, step, globalSumOfSquares, config.GlobalBatch);
        BufferSpan[] state = [.. _state.Select(s => s.All)];
        ChangeWeights(gradient => Optimizer.Apply(_backend!, _weights!.All, gradient, state, _spec!, decision, _updates + 1), step + 1);
        _updates += decision.Skip ? 0 : 1;

        _version = step + 1;
        _lastApply = new ApplyResult(step, decision.Skip, decision.Clipped, decision.GradientNorm, decision.LearningRate);
        ResetStep();
        return Task.FromResult(_lastApply);
    }

    /// <inheritdoc />
    public Task<ApplyResult> ApplyAlone(long step)
    {
        Admit(RequireServing().RunId);
        if (_lastApply is not null && _lastApply.Step == step)
        {
            return Task.FromResult(_lastApply);
        }

        // A step other than the current one: Apply explains the mismatch.
        return step == _version ? Apply(step, ReduceCurrentStep()) : Apply(step, double.NaN);
    }

    /// <inheritdoc />
    public Task Release()
    {
        Admit(_config?.RunId ?? string.Empty);
        FreeBuffers();
        _config = null;
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        link.Unhost(this.GetPrimaryKeyString());
        FreeBuffers();
        _backend?.Dispose();
        _backend = null;
        return Task.CompletedTask;
    }

    /// <summary>Takes a whole-step sum that a worker of this silo lent (<see cref="LocalSlice.TryLendRoot"/>) as the root's push; closes the door to later loans of this step.</summary>
    private void AbsorbDeposit()
    {
        if (_local?.CloseRootAndTakeDeposit() == true)
        {
            TreeNode root = MicroShardTree.Root(_config!.MicroShards);
            TakeRoot(new ShardNode(root.Level, root.Index));
        }
    }

    /// <summary>The whole step's sum is in <c>_gradient</c> already, or lent by a worker of this silo: every later push of the step is a duplicate.</summary>
    private void TakeRoot(ShardNode root)
    {
        _received.Add(root);
        _rootUploaded = true;
        _sumOfSquares = null;
    }

    /// <summary>
    /// Changes the weights (and then the version), given the step's gradient, under the monitor
    /// that workers of this silo borrow and copy them under, if any (the gradient may then be a
    /// worker's lent root).
    /// </summary>
    private void ChangeWeights(Action<BufferSpan> change, long newVersion)
    {
        if (_local is null)
        {
            change(_gradient!.All);
        }
        else
        {
            _local.Change(change, newVersion);
        }
    }

    private double ReduceCurrentStep()
    {
        AbsorbDeposit();
        if (_sumOfSquares is { } cached)
        {
            return cached;
        }

        if (!_rootUploaded)
        {
            var reducer = _reducer!;
            if (!reducer.IsComplete)
            {
                throw new InvalidOperationException($"Slice {_config!.Slice} of run '{_config.RunId}' has not received every micro-shard of step {_version}: it holds {string.Join(", ", _received.OrderBy(n => n.First))} of {_config.MicroShards}.");
            }

            _gradient!.Upload(reducer.Root);
        }

        IComputeBackend backend = _backend!;
        double sum = _local is null ? backend.SumOfSquares(_gradient!.All) : _local.ReadGradient(backend.SumOfSquares);
        _sumOfSquares = sum;
        return sum;
    }

    private void ResetStep()
    {
        foreach (var assembly in _pending.Values)
        {
            _pool.Push(assembly.Buffer);
        }

        _pending.Clear();
        _received.Clear();
        _rootUploaded = false;
        _reducer?.Reset();
        _sumOfSquares = null;
    }

    private float[] Rent()
    {
        if (_pool.TryPop(out var buffer))
        {
            return buffer;
        }

        return new float[_config!.Length];
    }

    /// <summary>Rejects a call stamped with an older coordinator generation than one already seen (<see cref="CoordinatorFence"/>).</summary>
    private void Admit(string runId)
    {
        if (CoordinatorFence.Current is not { } generation)
        {
            return;
        }

        if (generation < _generation)
        {
            throw new InvalidOperationException($"Slice '{this.GetPrimaryKeyString()}' of run '{runId}': a call of coordinator generation {generation}, {CoordinatorFence.SupersededMarker} (generation {_generation}).");
        }

        _generation = generation;
    }

    /// <summary>The config of a slice whose set-up is complete (<see cref="Seal"/>): only such a slice serves weights, gradients and steps.</summary>
    private ServerSliceConfig RequireServing()
    {
        var config = RequireConfig();
        return _sealed
            ? config
            : throw new InvalidOperationException($"Slice {config.Slice} of run '{config.RunId}' is being set up (its weights are not all written yet); it serves nothing until the coordinator seals it.");
    }

    private ServerSliceConfig RequireConfig() =>
        _config ?? throw new InvalidOperationException($"Parameter-server slice '{this.GetPrimaryKeyString()}' is not configured (it was released or its silo restarted).");

    private DeviceBuffer Target(ParameterKind kind)
    {
        int index = kind.StateIndex();
        if (index < 0)
        {
            return _weights!;
        }

        return index < _state.Length
            ? _state[index]
            : throw new ArgumentOutOfRangeException(nameof(kind), $"Slice {_config!.Slice} of run '{_config.RunId}': the {_spec!.Kind} optimiser keeps {_state.Length} state vectors ({string.Join(", ", _spec.StateNames)}), not {kind}.");
    }

    /// <summary>The optimiser's state vectors for a slice of <paramref name="length"/> floats, at their starting values.</summary>
    private static DeviceBuffer[] AllocateState(IComputeBackend backend, OptimizerSpec spec, int length)
    {
        var state = new DeviceBuffer[spec.StateNames.Count];
        for (int i = 0; i < state.Length; i++)
        {
            state[i] = backend.Allocate(length);
            if (spec.InitialStateValue(i) is var initial and not 0f)
            {
                backend.Fill(state[i], initial);
            }
        }

        return state;
    }

    private void FreeBuffers()
    {
        if (_local is not null)
        {
            _local.Close();
            directory.Withdraw(this.GetPrimaryKeyString(), _local);
            _local = null;
        }

        ResetStep();
        _pool.Clear();
        _weights?.Dispose();
        foreach (DeviceBuffer state in _state)
        {
            state.Dispose();
        }

        _gradient?.Dispose();
        _weights = _gradient = null;
        _state = [];
        _reducer = null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: server slice {Slice} owns [{Offset}, +{Length}) from step {Step}")]
    private partial void LogConfigured(string runId, int slice, int offset, int length, long step);
}
