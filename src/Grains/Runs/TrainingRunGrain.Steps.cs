using System.Diagnostics;
using DistTrain.Grains.Placement;
using DistTrain.Grains.Planning;
using DistTrain.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace DistTrain.Grains.Runs;

/// <summary>The step loop of the coordinator.</summary>
internal sealed partial class TrainingRunGrain
{
    private List<(DeviceInfo Device, IWorkerGrain Grain)>? _workers;
    private MembershipVersion _workersVersion;
    private int _failures;
    private (long Step, List<(DeviceInfo Device, IWorkerGrain Grain)> Workers, Task<(WorkerStepReport Report, WorkerPhases Phases)>[] Calls)? _runAhead;
    private int _consecutiveSkips;
    private double _epochLoss;
    private long _epochCorrect;
    private long _epochSamples;
    private long _epochSteps;
    private long _epochStart;

    /// <summary>One timer turn: steps one after another until the budget is spent or something asks the loop to halt.</summary>
    private async Task Turn(CancellationToken cancellationToken)
    {
        long turnStart = Stopwatch.GetTimestamp();
        CoordinatorFence.Stamp(S.Generation);
        while (!_superseded && S.State is RunState.Running && _run is { } run && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!_serversReady)
                {
                    await EnsureServers();
                }

                if (_stopAtStep is { } at && S.Step >= at)
                {
                    DropRunAhead();
                    await StopNow();
                    return;
                }

                if (_pauseRequested)
                {
                    DropRunAhead();
                    await PauseNow();
                    return;
                }

                if (S.Step >= run.TotalSteps)
                {
                    await CompleteNow();
                    return;
                }

                await RunStep(run, S.Step);
                _failures = 0;
                await AfterStep(run);
            }
            catch (Exception e) when (CoordinatorFence.IsSuperseded(e))
            {
                StepAside(); // a slice or the storage knows a newer activation of this coordinator
                return;
            }
            catch (Exception e) when (S.State is RunState.Running)
            {
                _failures++;
                DropRunAhead();
                _workers = null;
                _serversReady = false;
                S.Error = $"step {S.Step}, attempt {_failures}: {e.GetType().Name}: {e.Message}";
                LogStepFailed(e, RunId, S.Step, _failures);
                if (_failures > _options.MaxStepRetries)
                {
                    await FailNow($"Step {S.Step} failed {_failures} times; last error: {e.Message}");
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100 * _failures), CancellationToken.None);
            }

            if (Stopwatch.GetElapsedTime(turnStart) > _options.TurnBudget)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Step <paramref name="step"/>: the workers compute their micro-shards and push partial
    /// sums; the slices report Σg² (added here in slice order); every slice applies the step.
    /// A single slice does both in one call.
    /// </summary>
    private async Task RunStep(RunContext run, long step)
    {
        long start = Stopwatch.GetTimestamp();
        var workers = await GetWorkers();
        var plan = StepPlanner.PlanShards(run.Spec.MicroShards, workers.Count);
        var calls = TakeRunAhead(step, workers) ?? StartCompute(run, step, workers, plan);
        var done = await Task.WhenAll(calls);
        WorkerStepReport[] reports = [.. done.Select(d => d.Report)];
        WorkerPhases[] phases = [.. done.Select(d => d.Phases)];
        double slowest = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        int slices = run.Servers.Count;
        ApplyResult result;
        if (slices == 1)
        {
            result = await OnSlice(0, s => s.ApplyAlone(step)); // its Σg² is the global one: one round trip
        }
        else
        {
            double[] sums = await Task.WhenAll(Enumerable.Range(0, slices).Select(i => OnSlice(i, s => s.SumOfSquares(step))));
            double globalSumOfSquares = 0;
            foreach (double sum in sums)
            {
                globalSumOfSquares += sum; // slice order: the same bits on every run
            }

            var applying = Task.WhenAll(Enumerable.Range(0, slices).Select(i => OnSlice(i, s => s.Apply(step, globalSumOfSquares))));
            if (CanRunAhead(run, step + 1))
            {
                // The next step's compute goes out with the apply: each worker's reads of the
                // new weights wait at the slices and are answered the moment each slice has
                // applied, so no coordinator round trip lies between the apply and the forward.
                _runAhead = (step + 1, workers, StartCompute(run, step + 1, workers, plan));
            }

            ApplyResult[] applied = await applying;
            result = applied[0];
        }

        double milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        Record(run, step, reports, phases, result, plan.Count, milliseconds, slowest);
    }

    private Task<(WorkerStepReport Report, WorkerPhases Phases)>[] StartCompute(RunContext run, long step, List<(DeviceInfo Device, IWorkerGrain Grain)> workers, IReadOnlyList<ShardAssignment> plan)
    {
        var calls = new Task<(WorkerStepReport Report, WorkerPhases Phases)>[plan.Count];
        for (int i = 0; i < plan.Count; i++)
        {
            var (device, grain) = workers[plan[i].Worker];
            calls[i] = TimedCompute(grain, device.WorkerKey, new WorkerStepRequest(run.WorkerConfig, step, plan[i].First, plan[i].Count));
        }

        return calls;
    }

    /// <summary>
    /// Whether step <paramref name="next"/> may be sent to the workers while the step before is
    /// applied: it exists, and nothing asks the loop to halt before it (a stop, a pause, a newer
    /// coordinator). Checkpoints and epoch ends do not prevent it: the compute of the next step
    /// changes no weight, and its pushes wait at the slices until that step is applied.
    /// </summary>
    private bool CanRunAhead(RunContext run, long next) =>
        next < run.TotalSteps
        && !_superseded
        && !_pauseRequested
        && _stopAtStep is null
        && S.State is RunState.Running;

    /// <summary>The calls sent ahead for <paramref name="step"/> if they went to these same workers; anything else sent ahead is dropped.</summary>
    private Task<(WorkerStepReport Report, WorkerPhases Phases)>[]? TakeRunAhead(long step, List<(DeviceInfo Device, IWorkerGrain Grain)> workers)
    {
        if (_runAhead is not { } ahead)
        {
            return null;
        }

        _runAhead = null;
        if (ahead.Step == step && ReferenceEquals(ahead.Workers, workers))
        {
            return ahead.Calls;
        }

        Abandon(ahead.Calls);
        return null;
    }

    /// <summary>Drops the calls sent ahead (a failed step, a stop, a pause): their results and errors are observed and ignored.</summary>
    private void DropRunAhead()
    {
        if (_runAhead is { } ahead)
        {
            _runAhead = null;
            Abandon(ahead.Calls);
        }
    }

    private static void Abandon(Task[] calls) =>
        _ = Task.WhenAll(calls).ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private async Task<(WorkerStepReport Report, WorkerPhases Phases)> TimedCompute(IWorkerGrain grain, string key, WorkerStepRequest request)
    {
        long start = Stopwatch.GetTimestamp();
        WorkerStepReport report = await grain.ComputeStep(request);
        double milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        TrainingMetrics.WorkerStepLatency.Record(milliseconds, TrainingMetrics.Worker(RunId, key));
        NoteWorkerTime(request.Step, key, milliseconds);
        return (report, new WorkerPhases(key, milliseconds, report.ComputeMilliseconds, report.PullWaitMilliseconds, report.PushWaitMilliseconds, report.WireBytes));
    }

    private void Record(RunContext run, long step, WorkerStepReport[] reports, WorkerPhases[] phases, ApplyResult result, int workers, double milliseconds, double slowestWorker)
    {
        double lossSum = 0;
        long correct = 0;
        long samples = 0;
        long pushed = 0;
        long pulled = 0;
        long wire = 0;
        foreach (WorkerStepReport r in reports)
        {
            lossSum += r.LossSum;
            correct += r.Correct;
            samples += r.Samples;
            pushed += r.BytesPushed;
            pulled += r.BytesPulled;
            wire += r.WireBytes;
        }

        double loss = lossSum / samples;
        double accuracy = (double)correct / samples;
        S.Step = step + 1;
        S.LastLoss = loss;
        S.LastAccuracy = accuracy;
        _lastWorkerCount = workers;
        if (result.Skipped)
        {
            S.SkippedSteps++;
            _consecutiveSkips++;
        }
        else
        {
            _consecutiveSkips = 0;
        }

        if (result.Clipped)
        {
            S.ClippedSteps++;
        }

        _epochLoss += lossSum;
        _epochCorrect += correct;
        _epochSamples += samples;
        _epochSteps++;

        var report = new StepReport(
            step, run.EpochOf(step), loss, accuracy, result.GradientNorm, result.LearningRate, result.Clipped, result.Skipped, workers, milliseconds, pushed, pulled,
            reports.Max(r => r.PullMilliseconds), reports.Max(r => r.ComputeMilliseconds), reports.Max(r => r.PushMilliseconds), slowestWorker, wire, phases);
        _reports.Enqueue(report);
        while (_reports.Count > _options.ReportHistory)
        {
            _reports.Dequeue();
        }

        LogStep(report);

        var tags = TrainingMetrics.Run(RunId);
        TrainingMetrics.StepTime.Record(milliseconds, tags);
        TrainingMetrics.SamplesPerSecond.Record(samples / (milliseconds / 1000.0), tags);
        TrainingMetrics.Loss.Record(loss, tags);
        TrainingMetrics.Accuracy.Record(accuracy, tags);
        TrainingMetrics.GradientNorm.Record(result.GradientNorm, tags);
        TrainingMetrics.LearningRate.Record(result.LearningRate, tags);
        TrainingMetrics.Workers.Record(workers, tags);
        if (result.Clipped)
        {
            TrainingMetrics.ClippedSteps.Add(1, tags);
        }

        if (result.Skipped)
        {
            TrainingMetrics.SkippedSteps.Add(1, tags);
        }
    }

    /// <summary>Epoch ends, checkpoints and the skip limit, after a step was applied.</summary>
    private async Task AfterStep(RunContext run)
    {
        if (_consecutiveSkips >= _options.MaxConsecutiveSkippedSteps)
        {
            await FailNow($"{_consecutiveSkips} consecutive steps had a non-finite gradient.");
            return;
        }

        bool epochEnd = S.Step % run.StepsPerEpoch == 0;
        if (epochEnd)
        {
            S.Epochs.Add(new EpochSummary(
                run.EpochOf(S.Step - 1),
                _epochSamples > 0 ? _epochLoss / _epochSamples : double.NaN,
                _epochSamples > 0 ? (double)_epochCorrect / _epochSamples : double.NaN,
                _epochSteps,
                Stopwatch.GetElapsedTime(_epochStart).TotalSeconds));
            LogEpoch(S.Epochs[^1]);
            ResetEpochAccumulators();
        }

        bool interval = run.Spec.CheckpointInterval > 0 && S.Step % run.Spec.CheckpointInterval == 0;
        if ((epochEnd || interval) && S.Step < run.TotalSteps)
        {
            await WriteCheckpoint(run);
        }
    }

    private void ResetEpochAccumulators()
    {
        _epochLoss = 0;
        _epochCorrect = 0;
        _epochSamples = 0;
        _epochSteps = 0;
        _epochStart = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// The workers of the live silos (every device each silo's registry lists), ordered by key,
    /// cut to <see cref="RunSpec.Workers"/>. Cached until the membership changes or a step fails.
    /// </summary>
    private async Task<List<(DeviceInfo Device, IWorkerGrain Grain)>> GetWorkers()
    {
        var snapshot = membership.CurrentSnapshot;
        if (_workers is not null && snapshot.Version == _workersVersion)
        {
            return _workers;
        }

        var devices = await ListDevices(snapshot, _run!.Spec.Workers);
        if (devices.Count == 0)
        {
            throw new InvalidOperationException("No live silo offers a compute device.");
        }

        _workers = [.. devices.Select(d => (d, GrainFactory.GetGrain<IWorkerGrain>(d.WorkerKey)))];
        _workersVersion = snapshot.Version;
        return _workers;
    }

    /// <summary>The devices of the active silos (each silo's registry), ordered by worker key, cut to <paramref name="wanted"/> (0: all).</summary>
    private async Task<List<DeviceInfo>> ListDevices(ClusterMembershipSnapshot snapshot, int wanted)
    {
        var silos = snapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .OrderBy(a => a.ToParsableString(), StringComparer.Ordinal)
            .ToList();
        var lists = await Task.WhenAll(silos.Select(async address =>
        {
            try
            {
                return await GrainFactory.GetGrain<IDeviceRegistryGrain>(SiloPinnedKey.For(address)).GetDevices();
            }
            catch (Exception e)
            {
                LogRegistryUnreachable(e, RunId, address.ToParsableString());
                return (IReadOnlyList<DeviceInfo>)[];
            }
        }));
        var devices = lists.SelectMany(l => l).OrderBy(d => d.WorkerKey, StringComparer.Ordinal).ToList();
        return wanted > 0 ? [.. devices.Take(wanted)] : devices;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: step {Step} failed (attempt {Attempt}); re-planning")]
    private partial void LogStepFailed(Exception exception, string runId, long step, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: device registry of silo {Silo} unreachable")]
    private partial void LogRegistryUnreachable(Exception exception, string runId, string silo);
}
