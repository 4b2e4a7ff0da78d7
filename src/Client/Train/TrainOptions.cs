using System.CommandLine;
using DistTrain.Client.Cli;

namespace DistTrain.Client.Train;

/// <summary>The options of <c>disttrain train</c>; every one can also be a key of the spec file.</summary>
internal sealed class TrainOptions
{
    public Argument<string?> Spec { get; } = Commands.CommandSupport.OptionalFileArgument(
        "spec",
        "Run-spec JSON file (keys are the flag names in camelCase, plus \"model\"); flags override it.");

    public Option<string?> Preset { get; } = new("--preset", "-p")
    {
        Description = $"Model, data set and hyper-parameters to start from: {string.Join(", ", TrainingPresets.All.Select(p => p.Name))}.",
    };

    public Option<string?> Model { get; } = new("--model") { Description = "Model spec JSON file (instead of the preset's model).", HelpName = "file" };
    public Option<string?> Dataset { get; } = new("--dataset") { Description = $"Data set: {string.Join(", ", DataSetReference.KnownNames)}." };
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Data-set cache directory (default: the cache of the data-set loader).", HelpName = "dir" };
    public Option<string?> Csv { get; } = new("--csv") { Description = "CSV file of a regression data set (implies --dataset csv).", HelpName = "file" };
    public Option<string?> Target { get; } = new("--target") { Description = "CSV target column, by name or zero-based index (default: the last column).", HelpName = "column" };
    public Option<int?> Epochs { get; } = new("--epochs", "-e") { Description = "Passes over the training data." };
    public Option<int?> BatchSize { get; } = new("--batch-size", "-b") { Description = "Global batch size over all workers (a multiple of --micro-shards)." };
    public Option<int?> MicroShards { get; } = new("--micro-shards") { Description = "Micro-shards per global batch, a power of two (fixes the summation order)." };
    public Option<float?> LearningRate { get; } = new("--lr") { Description = "Base learning rate." };
    public Option<string?> Schedule { get; } = new("--schedule") { Description = $"Learning-rate schedule: {ScheduleSyntax.Help}.", HelpName = "schedule" };
    public Option<long?> Warmup { get; } = new("--warmup") { Description = "Linear learning-rate warm-up, in steps." };
    public Option<string?> Optimizer { get; } = new("--optimizer") { Description = $"Update rule at the parameter server: {OptimizerSyntax.Help} (Keras' defaults; a preset keeps its own unless this differs).", HelpName = "name" };
    public Option<float?> Momentum { get; } = new("--momentum") { Description = "SGD or RMSprop momentum in [0, 1)." };
    public Option<float?> Beta1 { get; } = new("--beta1") { Description = "Adam/AdamW beta_1, the first-moment decay (default 0.9)." };
    public Option<float?> Beta2 { get; } = new("--beta2") { Description = "Adam/AdamW beta_2, the second-moment decay (default 0.999)." };
    public Option<float?> Epsilon { get; } = new("--epsilon") { Description = "Adam, RMSprop and Adagrad epsilon (default 1e-7)." };
    public Option<bool?> Amsgrad { get; } = new("--amsgrad") { Description = "Adam/AdamW: the AMSGrad variant.", Arity = ArgumentArity.ZeroOrOne };
    public Option<float?> Rho { get; } = new("--rho") { Description = "RMSprop rho, the mean-square decay (default 0.9)." };
    public Option<bool?> Centered { get; } = new("--centered") { Description = "RMSprop: the centred variant.", Arity = ArgumentArity.ZeroOrOne };
    public Option<float?> InitialAccumulator { get; } = new("--initial-accumulator") { Description = "Adagrad initial_accumulator_value (default 0.1)." };
    public Option<bool?> Nesterov { get; } = new("--nesterov") { Description = "Use Nesterov momentum.", Arity = ArgumentArity.ZeroOrOne };
    public Option<float?> ClipNorm { get; } = new("--clip-norm") { Description = "Clip the mean gradient to this global norm." };
    public Option<float?> WeightDecay { get; } = new("--weight-decay") { Description = "Weight decay: L2 added to the gradient; decoupled for adamw (default 0.004 there)." };
    public Option<double?> ValidationSplit { get; } = new("--validation-split") { Description = "Fraction of the training data held out for validation, in [0, 1)." };
    public Option<int?> Folds { get; } = new("--folds")
    {
        Description = "k-fold cross-validation: train k models in this process on the CPU (the local trainer, not the cluster), each holding out one contiguous k-th of the training data, and report each fold's validation loss and accuracy with mean ± std. k ≥ 2; not with --validation-split, --cluster or --detach.",
        HelpName = "k",
    };
    public Option<string?> EarlyStoppingMonitor { get; } = new("--early-stopping-monitor") { Description = "Stop when this metric stops improving: val_loss, val_accuracy, loss, accuracy." };
    public Option<int?> Patience { get; } = new("--patience") { Description = "Epochs without improvement before early stopping." };
    public Option<ulong?> Seed { get; } = new("--seed") { Description = "Seed of the initial weights and the shuffles." };
    public Option<int?> Workers { get; } = new("--workers", "-w") { Description = "Workers to use (0: every device of every silo)." };
    public Option<int?> ServerSlices { get; } = new("--server-slices") { Description = "Parameter-server grains sharing the parameter vector (0, the default: one per silo with workers)." };
    public Option<int?> BucketBytes { get; } = new("--bucket-bytes")
    {
        Description = "Push gradients in buckets of about this many bytes while the backward runs, and read weights in buckets of this size (default 524288; 0: one push after the backward). Every size gives the same bits.",
        HelpName = "bytes",
    };
    public Option<string?> Compression { get; } = new("--compression")
    {
        Description = "Wire encoding of pushed gradients: none (float32, the default) or bf16 (bfloat16 with error feedback: half the bytes, bit-identical only among runs with the same setting).",
        HelpName = "none|bf16",
    };
    public Option<string?> CheckpointDir { get; } = new("--checkpoint-dir") { Description = "Directory for checkpoints (reachable by every silo).", HelpName = "dir" };
    public Option<int?> CheckpointInterval { get; } = new("--checkpoint-interval") { Description = "Checkpoint every this many steps (0: at epoch ends and on stop)." };
    public Option<string?> ResumeFrom { get; } = new("--resume-from") { Description = "Start from this checkpoint file.", HelpName = "file" };
    public Option<string?> LogDir { get; } = new("--logdir")
    {
        Description = "Directory of the run's TensorBoard event files, written by the coordinator (default: logs in the checkpoint directory); open it with `tensorboard --logdir DIR`, chart it with `disttrain plot`.",
        HelpName = "dir",
    };
    public Option<string?> RunId { get; } = new("--run-id") { Description = "Name of the run (default: generated); `watch`, `status` and `stop` take it." };
    public Option<bool> Detach { get; } = new("--detach", "-d") { Description = "Start the run and exit without watching (needs --cluster)." };
    public Option<bool> Json { get; } = new("--json") { Description = "Print the summary as one JSON object on standard output." };

    public void AddTo(Command command)
    {
        command.Add(Spec);
        foreach (var option in new Option[]
        {
            Preset, Model, Dataset, DataDir, Csv, Target, Epochs, BatchSize, MicroShards, LearningRate, Schedule, Warmup,
            Optimizer, Momentum, Nesterov, Beta1, Beta2, Epsilon, Amsgrad, Rho, Centered, InitialAccumulator, ClipNorm, WeightDecay, ValidationSplit, Folds, EarlyStoppingMonitor, Patience, Seed, Workers,
            ServerSlices, BucketBytes, Compression, CheckpointDir, CheckpointInterval, ResumeFrom, LogDir, RunId, Detach, Json,
        })
        {
            command.Add(option);
        }
    }
}
