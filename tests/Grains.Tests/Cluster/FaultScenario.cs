using System.Diagnostics;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Xunit.Abstractions;

namespace DistTrain.Grains.Tests.Cluster;

/// <summary>
/// A run that loses part of its cluster mid-flight: the coordinator is placed on a chosen
/// silo, the fault is applied once the run has passed a given step, and the run is watched to
/// its end, timing how long it took to step again and to finish.
/// </summary>
public static class FaultScenario
{
    /// <summary>An MLP (64-256-10) big enough that a run of 60 steps is still in flight when the fault hits.</summary>
    public static RunSpec Spec(long steps, int checkpointInterval = 0) => TestRuns.Spec(
        new Kernels.Models.ModelSpec([64], [new Kernels.Models.DenseSpec(256, Kernels.Backends.ActivationKind.Relu), new Kernels.Models.DenseSpec(10)], Kernels.Models.LossKind.SoftmaxCrossEntropy),
        TestRuns.Data(64, samples: 4096),
        steps,
        workers: 0,
        batch: 256,
        checkpointInterval: checkpointInterval);

    /// <summary>
    /// Starts <paramref name="spec"/> with its coordinator on <paramref name="coordinatorSilo"/>,
    /// applies <paramref name="fault"/> once the run has reached <paramref name="faultAfterStep"/>
    /// steps, and polls until it leaves <see cref="RunState.Running"/> (at most <paramref name="timeout"/>).
    /// With <paramref name="pollDuringRecovery"/> false nothing calls the run after the fault
    /// until its checkpoint file shows the last step: the run must go on by itself (its reminder).
    /// </summary>
    public static async Task<FaultOutcome> RunAsync(
        IGrainFactory grains, SiloAddress coordinatorSilo, RunSpec spec, long faultAfterStep, Func<Task> fault, ITestOutputHelper output, TimeSpan timeout, bool pollDuringRecovery = true)
    {
        var run = grains.GetGrain<ITrainingRunGrain>($"fault-{Guid.NewGuid():N}");
        RequestContext.Set(IPlacementDirector.PlacementHintKey, coordinatorSilo);
        try
        {
            await run.Start(spec);
        }
        finally
        {
            RequestContext.Clear();
        }

        Assert.Equal(coordinatorSilo.ToParsableString(), (await run.GetStatus()).CoordinatorSilo);
        RunStatus before;
        while ((before = await run.GetStatus()) is { State: RunState.Running } && before.Step < faultAfterStep)
        {
            await Task.Delay(10);
        }

        Assert.True(before.State == RunState.Running && before.Step < spec.MaxSteps - 10, $"the fault must hit while the run is in flight, but it is {before.State} at step {before.Step}");
        var clock = Stopwatch.StartNew();
        await fault();
        TimeSpan faulted = clock.Elapsed;
        TimeSpan? stepping = null;
        RunStatus status = before;
        var failedPolls = 0;
        if (!pollDuringRecovery)
        {
            Assert.True(before.LastCheckpoint is not null, "the run needs a checkpoint before the fault");
            long checkpointStep = -1;
            while (clock.Elapsed < timeout && checkpointStep < spec.MaxSteps)
            {
                await Task.Delay(50);
                try
                {
                    checkpointStep = Kernels.Training.CheckpointStore.Load(Kernels.Training.CheckpointStore.Resolve(before.LastCheckpoint)!).Step;
                }
                catch (Kernels.Training.CheckpointException)
                {
                    continue; // a save renamed the file between the two calls; read again
                }

                if (stepping is null && checkpointStep > before.Step)
                {
                    stepping = clock.Elapsed; // the first checkpoint past the step at the fault
                }
            }

            output.WriteLine($"untouched by clients, the run wrote its last checkpoint (step {checkpointStep}) {clock.Elapsed.TotalSeconds:F2} s after the fault");
        }

        while (clock.Elapsed < timeout)
        {
            try
            {
                status = await run.GetStatus();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failedPolls++; // the coordinator's silo is gone and not yet declared dead
                await Task.Delay(100);
                continue;
            }

            if (stepping is null && status.Step > before.Step + 1)
            {
                stepping = clock.Elapsed;
            }

            if (status.State is not RunState.Running)
            {
                break;
            }

            await Task.Delay(20);
        }

        TimeSpan finished = clock.Elapsed;
        float[]? weights = await run.GetWeights();
        output.WriteLine(
            $"fault at step {before.Step} ({before.Workers} workers), fault call {faulted.TotalSeconds:F2} s; " +
            $"stepping again after {stepping?.TotalSeconds:F2} s; {status.State} at step {status.Step} with {status.Workers} workers after {finished.TotalSeconds:F2} s; " +
            $"{failedPolls} failed status polls; last recovered fault: {status.Error}");
        Assert.True(status.State == RunState.Completed, $"Run ended {status.State} at step {status.Step}: {status.Error}");
        Assert.NotNull(weights);
        return new FaultOutcome(before, status, weights, stepping ?? finished, finished);
    }
}

/// <summary>What <see cref="FaultScenario.RunAsync"/> saw.</summary>
/// <param name="AtFault">The status just before the fault.</param>
/// <param name="Final">The final status.</param>
/// <param name="Weights">The final weights.</param>
/// <param name="Recovery">From the fault until the run had applied steps again.</param>
/// <param name="Finished">From the fault until the run ended.</param>
public sealed record FaultOutcome(RunStatus AtFault, RunStatus Final, float[] Weights, TimeSpan Recovery, TimeSpan Finished);
