using DistTrain.Grains.Placement;
using DistTrain.Grains.Planning;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Training;
using Microsoft.Extensions.Logging;

namespace DistTrain.Grains.Runs;

/// <summary>The coordinator's handling of the parameter-server slices, checkpoints and run endings.</summary>
internal sealed partial class TrainingRunGrain
{
    /// <summary>Keeps the slices if they all hold step <c>S.Step</c>; otherwise rewinds to the last checkpoint.</summary>
    private async Task EnsureServers()
    {
        var run = _run!;
        await PlanSliceHomes();
        long?[] versions = await Task.WhenAll(run.Servers.Select((_, i) => OnSlice(i, s => s.GetVersion(RunId))));
        if (versions.All(v => v == S.Step))
        {
            _serversReady = true;
            return;
        }

        LogRewind(RunId, S.Step, S.CheckpointStep);
        ResetEpochAccumulators();
        await RestoreServers(S.LastCheckpoint);
    }

    /// <summary>
    /// Sets every slice up from the checkpoint at <paramref name="checkpointPath"/> (validated
    /// against the model's layout) or, when null, from fresh weights
    /// (<see cref="ParameterInitializer"/> with the run's seed) and the optimiser's starting state at step 0.
    /// </summary>
    private async Task RestoreServers(string? checkpointPath)
    {
        var run = _run!;
        _serversReady = false;
        float[] weights;
        IReadOnlyList<OptimizerStateVector> state = [];
        long step = 0;
        long updates = 0;
        if (checkpointPath is not null)
        {
            // Untrusted input, read within the size of this model's checkpoint. A silo killed between
            // a save's two renames leaves the checkpoint as .prev; a damaged latest file falls back to
            // .prev as well (an earlier step: the steps after it are trained again, to the same bits).
            var (checkpoint, file) = await Task.Run(() => CheckpointStore.LoadLatest(checkpointPath, run.Tensors));
            if (!string.Equals(file, checkpointPath, StringComparison.Ordinal))
            {
                LogPreviousCheckpoint(RunId, file, checkpoint.Step);
            }
            try
            {
                checkpoint.ValidateOptimizerState(run.Optimizer);
            }
            catch (CheckpointException e)
            {
                // An exception type every caller can deserialise, with the checkpoint's own message.
                throw new InvalidOperationException($"Run '{RunId}' cannot start from checkpoint '{file}': {e.Message}");
            }

            weights = checkpoint.Weights;
            state = checkpoint.OptimizerState;
            step = checkpoint.Step;
            updates = checkpoint.AppliedUpdates;
            S.SkippedSteps = checkpoint.SkippedSteps;
            S.LastCheckpoint = checkpointPath;
            S.CheckpointStep = step;
        }
        else
        {
            weights = ParameterInitializer.Initialize(run.Model, run.Spec.Seed);
        }

        if (step > run.TotalSteps)
        {
            throw new InvalidOperationException($"Checkpoint '{checkpointPath}' is at step {step}, beyond the run's {run.TotalSteps} steps.");
        }

        S.Step = step;
        S.Epochs.RemoveAll(e => e.Epoch >= run.EpochOf(step)); // epochs after the checkpoint are trained again
        await PlanSliceHomes();
        var writes = new List<Task>();
        for (int i = 0; i < run.Servers.Count; i++)
        {
            ServerSlice slice = run.Servers[i];
            var server = GrainFactory.GetGrain<IParameterServerGrain>(slice.Key);
            await OnSlice(i, s => s.Configure(new ServerSliceConfig(RunId, i, slice.Offset, slice.Length, run.Spec.Optimizer, run.Spec.MicroShards, run.Spec.BatchSize, step, updates)));
            foreach (var (offset, count) in FloatBytes.Chunks(slice.Length))
            {
                writes.Add(server.Write(new ParameterChunk(ParameterKind.Weights, step, offset, FloatBytes.ToBytes(weights.AsSpan(slice.Offset + offset, count)))));
                for (int s = 0; s < state.Count; s++)
                {
                    writes.Add(server.Write(new ParameterChunk(ParameterKinds.OptimizerState(s), step, offset, FloatBytes.ToBytes(state[s].Values.AsSpan(slice.Offset + offset, count)))));
                }
            }
        }

        await Task.WhenAll(writes);
        await Task.WhenAll(run.Servers.Select((_, i) => OnSlice(i, s => s.Seal())));
        _serversReady = true;
    }

    /// <summary>
    /// Chooses each slice's home silo: the silos with workers, in worker order, taken in turn
    /// (one slice per silo by default), so the exchange is spread over every silo's links.
    /// </summary>
    private async Task PlanSliceHomes()
    {
        var workers = await GetWorkers();
        string[] silos = [.. workers.Select(w => w.Device.Silo).Distinct(StringComparer.Ordinal)];
        _sliceHomes = [.. _run!.Servers.Select((_, i) => silos[i % silos.Length])];
    }

    /// <summary>Calls slice <paramref name="index"/> with its home silo named for placement (<see cref="SliceHome"/>), should the call activate it.</summary>
    private T OnSlice<T>(int index, Func<IParameterServerGrain, T> call)
    {
        SliceHome.Set(_sliceHomes is { } homes && index < homes.Length ? homes[index] : null);
        try
        {
            return call(GrainFactory.GetGrain<IParameterServerGrain>(_run!.Servers[index].Key));
        }
        finally
        {
            SliceHome.Set(null);
        }
    }

    /// <summary>The whole flat weights or an optimiser state vector, read from the slices (which must all be at step <c>S.Step</c>).</summary>
    private async Task<float[]> Gather(ParameterKind kind)
    {
        var run = _run!;
        var result = new float[run.Layout.Total];
        var reads = new List<(int Base, Task<ParameterChunk> Read)>();
        foreach (ServerSlice slice in run.Servers)
        {
            var server = GrainFactory.GetGrain<IParameterServerGrain>(slice.Key);
            foreach (var (offset, count) in FloatBytes.Chunks(slice.Length))
            {
                reads.Add((slice.Offset, server.Read(kind, offset, count)));
            }
        }

        await Task.WhenAll(reads.Select(r => r.Read));
        foreach (var (offsetBase, read) in reads)
        {
            ParameterChunk chunk = read.Result;
            if (chunk.Version != S.Step)
            {
                throw new InvalidOperationException($"Run '{RunId}': a slice is at version {chunk.Version} while the run is at step {S.Step}.");
            }

            FloatBytes.AsFloats(chunk.Data).CopyTo(result.AsSpan(offsetBase + chunk.Offset));
        }

        return result;
    }

    /// <summary>Writes a checkpoint of step <c>S.Step</c> (temporary file, rename, previous kept) and persists the state.</summary>
    private async Task WriteCheckpoint(RunContext run)
    {
        float[] weights = await Gather(ParameterKind.Weights);
        var state = new List<OptimizerStateVector>();
        IReadOnlyList<string> names = run.Optimizer.StateNames;
        for (int s = 0; s < names.Count; s++)
        {
            state.Add(new OptimizerStateVector(names[s], await Gather(ParameterKinds.OptimizerState(s))));
        }

        var checkpoint = new Checkpoint(run.Spec.ModelSpecJson, run.Tensors, weights, state, S.Step, run.EpochOf(S.Step), run.Spec.Seed, run.OptimizerJson, S.SkippedSteps);
        string path = run.CheckpointPath;
        await Task.Run(() => CheckpointStore.Save(path, checkpoint));
        S.LastCheckpoint = path;
        S.CheckpointStep = S.Step;
        await SaveStateOrRetryLater(); // the checkpoint file is durable; the state may follow once the store answers
        LogCheckpoint(RunId, S.Step, path);
    }

    private async Task PauseNow()
    {
        _pauseRequested = false;
        StopTimer();
        CloseEventLog(); // a resumed run appends to new files
        if (S.CheckpointStep != S.Step)
        {
            await WriteCheckpoint(_run!); // a long pause may outlive the servers' activations
        }

        S.State = RunState.Paused;
        await SaveStateOrRetryLater();
    }

    private async Task StopNow()
    {
        _stopAtStep = null;
        _pauseRequested = false;
        StopTimer();
        if (_serversReady && S.CheckpointStep != S.Step)
        {
            await WriteCheckpoint(_run!);
        }

        await CleanUp();
        S.State = RunState.Stopped; // made visible last, so a client that sees it may shut the silo down
        await SaveStateOrRetryLater();
        LogEnded(RunId, S.State, S.Step);
    }

    private async Task CompleteNow()
    {
        StopTimer();
        if (S.CheckpointStep != S.Step)
        {
            await WriteCheckpoint(_run!);
        }

        await CleanUp();
        S.State = RunState.Completed;
        S.Error = null;
        await SaveStateOrRetryLater();
        LogEnded(RunId, S.State, S.Step);
    }

    private async Task FailNow(string error)
    {
        StopTimer();
        await CleanUp();
        S.State = RunState.Failed;
        S.Error = error;
        await SaveStateOrRetryLater();
        LogEnded(RunId, S.State, S.Step);
    }

    /// <summary>Releases the slices and the reminder of a run that no longer steps; failures are logged, not thrown (the run's outcome stands).</summary>
    private async Task CleanUp()
    {
        DropRunAhead();
        CloseEventLog();
        try
        {
            await ReleaseServers();
            await UnregisterReminder();
        }
        catch (Exception e)
        {
            LogCleanupFailed(e, RunId);
        }
    }

    private async Task ReleaseServers()
    {
        _serversReady = false;
        await Task.WhenAll(_run!.Servers.Select(s => GrainFactory.GetGrain<IParameterServerGrain>(s.Key).Release()));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: slices are not at step {Step}; rewinding to the checkpoint of step {CheckpointStep}")]
    private partial void LogRewind(string runId, long step, long checkpointStep);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: the latest checkpoint is missing or damaged; resuming from {File} (step {Step})")]
    private partial void LogPreviousCheckpoint(string runId, string file, long step);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: checkpoint of step {Step} written to {Path}")]
    private partial void LogCheckpoint(string runId, long step, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: {State} at step {Step}")]
    private partial void LogEnded(string runId, RunState state, long step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: releasing the servers failed")]
    private partial void LogCleanupFailed(Exception exception, string runId);
}
