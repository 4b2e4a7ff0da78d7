namespace DistTrain.Grains.Runs;

/// <summary>Settings of the training-run coordinators of a silo (section <c>DistTrain:Coordinator</c>).</summary>
public sealed class CoordinatorOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "DistTrain:Coordinator";

    /// <summary>Directory under which each run without its own checkpoint directory gets <c>{root}/{runId}</c>; a path every silo can reach.</summary>
    public string CheckpointRoot { get; set; } = Path.Combine(Environment.CurrentDirectory, "checkpoints");

    /// <summary>
    /// Directories under which a run spec's <c>CheckpointDirectory</c> and <c>ResumeFrom</c> must
    /// lie (relative paths are taken below the first); empty allows only <see cref="CheckpointRoot"/>.
    /// Anything outside is refused when the run starts (<see cref="Security.PathRoots"/>).
    /// </summary>
    public string[] CheckpointRoots { get; set; } = [];

    /// <summary>The roots in force: <see cref="CheckpointRoots"/>, or <see cref="CheckpointRoot"/> alone when none are listed.</summary>
    public IReadOnlyList<string> EffectiveCheckpointRoots => CheckpointRoots is { Length: > 0 } roots ? roots : [CheckpointRoot];

    /// <summary>Failed attempts of one step (worker or server lost) before the run fails.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 1000)]
    public int MaxStepRetries { get; set; } = 8;

    /// <summary>Consecutive steps skipped for a non-finite gradient before the run fails.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int MaxConsecutiveSkippedSteps { get; set; } = 20;

    /// <summary>Step reports kept for <see cref="ITrainingRunGrain.GetReports"/>.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int ReportHistory { get; set; } = 512;

    /// <summary>
    /// Period of the reminder that keeps a running coordinator alive: when its silo dies, the
    /// reminder reactivates it on another silo within about this time (any call to the run, such
    /// as a client polling its status, reactivates it sooner). The silo lowers Orleans'
    /// <c>ReminderOptions.MinimumReminderPeriod</c> (1 minute) when this is shorter.
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often a coordinator retries a state write that failed because the store (Redis) was
    /// unreachable; the run goes on meanwhile and a stop, pause or the run's end stays in force.
    /// </summary>
    public TimeSpan StateWriteRetryPeriod { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long one timer turn may drive steps before letting queued calls (Start, Resume, GetWeights) in.</summary>
    public TimeSpan TurnBudget { get; set; } = TimeSpan.FromMilliseconds(500);
}
