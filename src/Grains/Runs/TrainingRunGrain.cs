using DistTrain.Grains.Data;
using DistTrain.Grains.Placement;
using DistTrain.Kernels.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace DistTrain.Grains.Runs;

/// <summary>
/// The coordinator of a run (key: run id). Its life cycle: <see cref="Start"/> sets up the
/// parameter-server slices (fresh weights or a checkpoint) and starts a grain timer whose
/// turns drive steps one after another, so the grain stays free for
/// <see cref="GetStatus"/>, <see cref="Pause"/> and <see cref="Stop"/> between steps (and
/// during them: those calls interleave). A reminder reactivates the grain after its silo
/// died; it then rewinds to its last checkpoint and goes on.
/// </summary>
internal sealed partial class TrainingRunGrain(
    [PersistentState("run", DistTrainStorage.Name)] IPersistentState<TrainingRunState> state,
    IDataSetProvider dataSets,
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    IOptions<CoordinatorOptions> options,
    Plugins.SiloLayerTypes layerTypes,
    ILogger<TrainingRunGrain> logger) : Grain, ITrainingRunGrain, IRemindable
{
    private const string ReminderName = "keep-running";
    private readonly CoordinatorOptions _options = options.Value;
    private readonly Queue<StepReport> _reports = new();
    private RunContext? _run;
    private IGrainTimer? _timer;
    private bool _serversReady;
    private bool _pauseRequested;
    private long? _stopAtStep;
    private int _lastWorkerCount;
    private bool _superseded;
    private string[]? _sliceHomes;
    private bool _stateUnsaved;
    private IGrainTimer? _saveRetry;

    private string RunId => this.GetPrimaryKeyString();

    private TrainingRunState S => state.State;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Spec is not null && S.State is RunState.Running)
        {
            // Reactivated (reminder or any call) after a failover: take the run over (a higher
            // generation, on record before the slices hear from this activation), rewind to the
            // checkpoint and go on.
            UseRun(RunContext.Create(RunId, S.Spec, dataSets, _options, S.ServerSlices, layerTypes.Resolver));
            S.Generation++;
            await SaveState();
            LogReactivated(RunId, S.Step);
            StartTimer();
        }
    }

    /// <summary>
    /// Orleans deactivates a live coordinator when its silo shuts down, and also when a silo
    /// that held the coordinator's grain-directory entry dies. A running or paused run writes
    /// its state on the way out, so that the next activation finds it even where the storage
    /// lost it (in-memory storage whose holder died); the next activation rewinds to the last
    /// checkpoint as after any failover.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        StopTimer();
        DropRunAhead();
        _saveRetry?.Dispose();
        CloseEventLog();
        if (!_superseded && S.Spec is not null && (S.State is RunState.Running or RunState.Paused || _stateUnsaved))
        {
            LogDeactivated(RunId, S.Step, reason.ReasonCode.ToString());
            try
            {
                await SaveState();
            }
            catch (Exception e)
            {
                LogDeactivationSaveFailed(e, RunId);
            }
        }
    }

    /// <inheritdoc />
    public async Task<RunStatus> Start(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (S.Spec is not null && S.State is RunState.Running or RunState.Paused)
        {
            return S.Spec == spec
                ? GetStatusNow()
                : throw new InvalidOperationException($"Run '{RunId}' is already {S.State} with a different spec; stop it or use another run id.");
        }

        // ServerSlices 0: one slice per silo that has workers now (fixed for the run; their homes follow the live silos).
        var devices = await ListDevices(membership.CurrentSnapshot, spec.Workers);
        int slices = spec.ServerSlices > 0 ? spec.ServerSlices : devices.Select(d => d.Silo).Distinct(StringComparer.Ordinal).Count();
        var run = RunContext.Create(RunId, spec, dataSets, _options, slices, layerTypes.Resolver);
        await CheckModelOnSilos(devices, spec.ModelSpecJson);
        _run = run;
        _workers = null;
        long generation = S.Generation + 1;
        state.State = new TrainingRunState { Spec = spec, State = RunState.Running, TotalSteps = run.TotalSteps, StepsPerEpoch = run.StepsPerEpoch, Generation = generation, ServerSlices = run.Servers.Count };
        CoordinatorFence.Stamp(generation);
        _reports.Clear();
        ResetEpochAccumulators();
        string? from = run.ResumeFrom ?? (CheckpointStore.Resolve(run.CheckpointPath) is null ? null : run.CheckpointPath);
        await RestoreServers(from);
        await SaveState();
        await GrainFactory.GetGrain<IRunRegistryGrain>(0).Register(RunId);
        await this.RegisterOrUpdateReminder(ReminderName, _options.ReminderPeriod, _options.ReminderPeriod);
        LogStarted(RunId, run.Layout.Total, run.TotalSteps, S.Step);
        StartTimer();
        return GetStatusNow();
    }

    /// <summary>
    /// Asks every silo whose workers the run would use to build its model (a custom layer's
    /// type must load there), so that a silo without the type fails the start with its own
    /// message instead of failing steps; throws an <see cref="InvalidOperationException"/>
    /// listing every silo that cannot.
    /// </summary>
    private async Task CheckModelOnSilos(IReadOnlyList<DeviceInfo> devices, string modelSpecJson)
    {
        var silos = devices.Select(d => d.Silo).Distinct(StringComparer.Ordinal).ToList();
        var errors = await Task.WhenAll(silos.Select(async address =>
        {
            try
            {
                await GrainFactory.GetGrain<IDeviceRegistryGrain>(SiloPinnedKey.For(SiloAddress.FromParsableString(address))).CheckModel(modelSpecJson);
                return null;
            }
            catch (InvalidOperationException e)
            {
                return e.Message;
            }
        }));
        if (errors.OfType<string>().ToList() is { Count: > 0 } failed)
        {
            throw new InvalidOperationException($"Run '{RunId}' cannot start: {string.Join(" ", failed)}");
        }
    }

    /// <inheritdoc />
    public async Task Stop(long? atStep = null)
    {
        if (S.State is RunState.Running)
        {
            _stopAtStep = atStep ?? 0; // 0: stop after the step in flight
        }
        else if (S.State is RunState.Paused)
        {
            await StopNow();
        }
    }

    /// <inheritdoc />
    public Task Pause()
    {
        if (S.State is RunState.Running)
        {
            _pauseRequested = true;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<RunStatus> Resume()
    {
        switch (S.State)
        {
            case RunState.Paused:
                S.State = RunState.Running;
                await SaveState();
                StartTimer();
                break;
            case RunState.Stopped or RunState.Failed:
                if (S.Spec is null)
                {
                    throw new InvalidOperationException($"Run '{RunId}' has no spec to resume.");
                }

                UseRun(RunContext.Create(RunId, S.Spec, dataSets, _options, S.ServerSlices, layerTypes.Resolver));
                await CheckModelOnSilos(await ListDevices(membership.CurrentSnapshot, S.Spec.Workers), S.Spec.ModelSpecJson);
                S.Generation++;
                CoordinatorFence.Stamp(S.Generation);
                ResetEpochAccumulators();
                await RestoreServers(S.LastCheckpoint);
                S.State = RunState.Running;
                S.Error = null;
                await SaveState();
                await this.RegisterOrUpdateReminder(ReminderName, _options.ReminderPeriod, _options.ReminderPeriod);
                StartTimer();
                break;
            case RunState.NotStarted:
                throw new InvalidOperationException($"Run '{RunId}' was never started.");
        }

        return GetStatusNow();
    }

    /// <inheritdoc />
    public Task<RunStatus> GetStatus() => Task.FromResult(GetStatusNow());

    /// <inheritdoc />
    public Task<RunSpec?> GetSpec() => Task.FromResult(S.Spec);

    /// <inheritdoc />
    public Task<IReadOnlyList<StepReport>> GetReports(long afterStep) =>
        Task.FromResult<IReadOnlyList<StepReport>>([.. _reports.Where(r => r.Step > afterStep)]);

    /// <inheritdoc />
    public async Task<float[]?> GetWeights()
    {
        if (_run is not null && _serversReady)
        {
            return await Gather(ParameterKind.Weights);
        }

        return S.LastCheckpoint is { } path && CheckpointStore.Resolve(path) is { } file
            ? CheckpointStore.Load(file).Weights
            : null;
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activation already restarted the timer; a finished run no longer needs the reminder.
        return S.State is RunState.Running or RunState.Paused ? Task.CompletedTask : UnregisterReminder();
    }

    private RunStatus GetStatusNow() => new(
        RunId,
        S.State,
        S.Step,
        S.StepsPerEpoch > 0 ? (int)(S.Step / S.StepsPerEpoch) : 0,
        S.TotalSteps,
        S.StepsPerEpoch,
        _lastWorkerCount > 0 ? _lastWorkerCount : S.Workers,
        S.SkippedSteps,
        S.ClippedSteps,
        S.LastLoss,
        S.LastAccuracy,
        [.. S.Epochs],
        S.LastCheckpoint,
        S.Error,
        silo.SiloAddress.ToParsableString(),
        EventLogDirectory);

    private void UseRun(RunContext run)
    {
        _run = run;
        S.TotalSteps = run.TotalSteps;
        S.StepsPerEpoch = run.StepsPerEpoch;
    }

    private void StartTimer()
    {
        _timer?.Dispose();
        _timer = this.RegisterGrainTimer(Turn, new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromMilliseconds(1)) { Interleave = false, KeepAlive = true });
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private async Task UnregisterReminder()
    {
        var reminder = await this.GetReminder(ReminderName);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Writes the state; after a storage failover (etag lost) it re-reads the etag and writes the coordinator's copy.</summary>
    private async Task SaveState()
    {
        if (_lastWorkerCount > 0)
        {
            S.Workers = _lastWorkerCount; // the status of a finished run shows it after a restart
        }

        try
        {
            await state.WriteStateAsync();
            _stateUnsaved = false;
        }
        catch (Orleans.Storage.InconsistentStateException)
        {
            TrainingRunState mine = state.State;
            await state.ReadStateAsync();
            if (state.State.Generation > mine.Generation)
            {
                // Another activation has taken the run over: this one steps aside without writing.
                long theirs = state.State.Generation;
                StepAside();
                throw new InvalidOperationException($"Run '{RunId}': coordinator activation of generation {mine.Generation} {CoordinatorFence.SupersededMarker} (generation {theirs}).");
            }

            state.State = mine;
            await state.WriteStateAsync();
            _stateUnsaved = false;
        }
    }

    /// <summary>
    /// Writes the state where the coordinator itself moves the run on (a checkpoint, the run's
    /// end, a pause or stop): if the store is unreachable (Redis down or restarting) the run does
    /// not fail, and a requested stop or pause is not dropped; the state in memory stands, the
    /// coordinator stays active and <see cref="RetrySave"/> writes it every
    /// <see cref="CoordinatorOptions.StateWriteRetryPeriod"/> until the store answers. While a
    /// write is pending, checkpoints leave the write to the retry, so an outage costs one
    /// store timeout per retry, not one per checkpoint. A newer activation found in storage
    /// (<see cref="CoordinatorFence"/>) still throws.
    /// </summary>
    private async Task SaveStateOrRetryLater()
    {
        if (_stateUnsaved && S.State is RunState.Running)
        {
            return; // the retry timer writes the newest state
        }

        try
        {
            await SaveState();
        }
        catch (Exception e) when (!CoordinatorFence.IsSuperseded(e) && !_superseded)
        {
            _stateUnsaved = true;
            LogStateWriteDeferred(e, RunId, S.State, S.Step);
            _saveRetry ??= this.RegisterGrainTimer(RetrySave, new GrainTimerCreationOptions(_options.StateWriteRetryPeriod, _options.StateWriteRetryPeriod) { Interleave = false, KeepAlive = true });
        }
    }

    /// <summary>One try of a deferred state write; ends the retries once it succeeds.</summary>
    private async Task RetrySave(CancellationToken cancellationToken)
    {
        if (_stateUnsaved && !_superseded)
        {
            try
            {
                await SaveState();
                LogStateWritten(RunId, S.State, S.Step);
            }
            catch (Exception e) when (!CoordinatorFence.IsSuperseded(e))
            {
                LogStateWriteRetryFailed(RunId, e.GetType().Name, e.Message);
                return;
            }
            catch (Exception)
            {
                // Superseded: SaveState stepped aside; nothing more to write.
            }
        }

        _saveRetry?.Dispose();
        _saveRetry = null;
    }

    /// <summary>Stops this activation for good: another one drives the run (<see cref="CoordinatorFence"/>).</summary>
    private void StepAside()
    {
        DropRunAhead();
        if (!_superseded)
        {
            _superseded = true;
            LogSuperseded(RunId, S.Generation);
        }

        StopTimer();
        DeactivateOnIdle();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: the state ({State}, step {Step}) could not be written; the run goes on and the write is retried until the store answers")]
    private partial void LogStateWriteDeferred(Exception exception, string runId, RunState state, long step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: deferred state write failed again ({Type}: {Message}); retrying")]
    private partial void LogStateWriteRetryFailed(string runId, string type, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: deferred state written ({State}, step {Step})")]
    private partial void LogStateWritten(string runId, RunState state, long step);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: started, {Parameters} parameters, {TotalSteps} steps, from step {Step}")]
    private partial void LogStarted(string runId, int parameters, long totalSteps, long step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: coordinator deactivated at step {Step} ({Reason}); state written for the next activation")]
    private partial void LogDeactivated(string runId, long step, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: writing the state on deactivation failed")]
    private partial void LogDeactivationSaveFailed(Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: this coordinator activation (generation {Generation}) was superseded by a newer one; it stops")]
    private partial void LogSuperseded(string runId, long generation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: coordinator reactivated at persisted step {Step}")]
    private partial void LogReactivated(string runId, long step);
}
