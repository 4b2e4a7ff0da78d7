using Orleans.Concurrency;

namespace DistTrain.Grains;

/// <summary>
/// The coordinator of one training run (key: the run id). It plans every step's
/// micro-shards over the live workers, has them compute and push their partial sums, and
/// has the parameter server apply the step. Its state is persisted and an Orleans
/// reminder brings it back after its silo dies, so the run goes on without the client.
/// </summary>
public interface ITrainingRunGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the run (fresh, from <see cref="RunSpec.ResumeFrom"/>, or from the run's own
    /// last checkpoint when one exists) and returns once its steps are being driven.
    /// Starting a run that is already running with the same spec returns its status.
    /// </summary>
    Task<RunStatus> Start(RunSpec spec);

    /// <summary>
    /// Stops the run after the current step (or once it has completed step
    /// <paramref name="atStep"/>), writes a checkpoint and releases the servers.
    /// Returns at once; poll <see cref="GetStatus"/> for <see cref="RunState.Stopped"/>.
    /// </summary>
    [AlwaysInterleave]
    Task Stop(long? atStep = null);

    /// <summary>Holds the run after the current step, keeping everything in memory.</summary>
    [AlwaysInterleave]
    Task Pause();

    /// <summary>Continues a paused run, or reloads a stopped run from its last checkpoint.</summary>
    Task<RunStatus> Resume();

    /// <summary>The run's status; answered even while a step is in flight.</summary>
    [AlwaysInterleave]
    Task<RunStatus> GetStatus();

    /// <summary>
    /// The reports of the steps after <paramref name="afterStep"/> still held (the last
    /// few hundred), oldest first: a client polls with the last step it has seen.
    /// </summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<StepReport>> GetReports(long afterStep);

    /// <summary>The current weights, gathered from the parameter-server slices (null before the run starts or after it stopped).</summary>
    Task<float[]?> GetWeights();

    /// <summary>The spec the run was started with (null when it never started): the console
    /// uses it to re-attach (<c>watch</c>) and to evaluate a run on its own data.</summary>
    [AlwaysInterleave]
    Task<RunSpec?> GetSpec();

    /// <summary>
    /// Adds the validation loss and accuracy of epoch <paramref name="epoch"/> (from 0), measured
    /// by the console on its own copy of the validation split, to the run's TensorBoard log
    /// (run <c>validation</c>, beside the coordinator's <c>train</c>). Reporting an epoch again
    /// replaces its values; a run that never started ignores it.
    /// </summary>
    [AlwaysInterleave]
    Task ReportValidation(int epoch, double loss, double? accuracy);
}
