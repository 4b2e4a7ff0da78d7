using System.Diagnostics;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Models;
using DistTrain.Kernels.Optim;

namespace DistTrain.Kernels.Training;

/// <summary>
/// The single-process training loop (no Orleans) and the bit-exact reference for the
/// distributed one. One step, readable top to bottom in <see cref="TrainStep"/>:
/// <code>
/// g    = Σ over micro-shards m of ∇loss(m), folded in the fixed tree order   (ModelReplica)
/// d    = Optimizer.Decide(opt, step, ‖g‖², B)      norm of g/B, skip if not finite, clip factor
/// w, s = Optimizer.Apply(…, t)                      the rule (SGD, Adam, …) on g·d.GradientScale, update t
/// </code>
/// The distributed path computes the same micro-shards (possibly on several replicas), adds
/// the partial sums with a <see cref="TreeReducer"/> (same tree, same float additions) and
/// calls the same optimiser, so it produces the same bits.
/// </summary>
public sealed class LocalTrainer : IDisposable
{
    private readonly ModelReplica _replica;
    private readonly IComputeBackend _backend;
    private readonly DeviceBuffer[] _state;
    private BatchPlan? _plan;

    /// <summary>Creates a trainer with weights from <see cref="ParameterInitializer"/> (seed <c>options.Seed</c>), or <paramref name="initialWeights"/>.</summary>
    public LocalTrainer(ModelSpec spec, TrainingOptions options, IComputeBackend backend, float[]? initialWeights = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(backend);
        spec.Validate();
        options.Validate();
        Options = options;
        _backend = backend;
        _replica = new ModelReplica(spec, backend);
        _replica.SetWeights(initialWeights ?? ParameterInitializer.Initialize(spec, options.Seed));
        var optimizer = options.Optimizer;
        _state = new DeviceBuffer[optimizer.StateNames.Count];
        for (int i = 0; i < _state.Length; i++)
        {
            _state[i] = backend.Allocate(_replica.Layout.Total);
            if (optimizer.InitialStateValue(i) is var initial and not 0f)
            {
                backend.Fill(_state[i], initial);
            }
        }
    }

    /// <summary>The model.</summary>
    public ModelSpec Spec => _replica.Spec;

    /// <summary>The training settings.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The layout of <see cref="Weights"/> and of each optimiser state vector.</summary>
    public ParameterLayout Layout => _replica.Layout;

    /// <summary>The replica that computes the gradients (its weights are the trainer's).</summary>
    public ModelReplica Replica => _replica;

    /// <summary>Global steps taken so far (the next step's number).</summary>
    public long Step { get; private set; }

    /// <summary>A host copy of the weights.</summary>
    public float[] Weights => _replica.GetWeights();

    /// <summary>Steps skipped so far for a non-finite gradient.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>A host copy of the first optimiser state vector (SGD's momentum buffer, Adam's first moment, …).</summary>
    public float[] Velocity => _state[0].ToArray();

    /// <summary>Host copies of the optimiser state vectors, named as <see cref="OptimizerSpec.StateNames"/>.</summary>
    public IReadOnlyList<OptimizerStateVector> OptimizerState =>
        [.. Options.Optimizer.StateNames.Select((name, i) => new OptimizerStateVector(name, _state[i].ToArray()))];

    /// <summary>
    /// Restores a saved state (for example from a checkpoint): weights, the optimiser state
    /// vectors (checked against <see cref="OptimizerSpec.StateNames"/>), the next step and the
    /// steps skipped before it.
    /// </summary>
    public void LoadState(ReadOnlySpan<float> weights, IReadOnlyList<OptimizerStateVector> state, long step, long skippedSteps = 0)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfNegative(skippedSteps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(skippedSteps, step);
        IReadOnlyList<string> names = Options.Optimizer.StateNames;
        if (!names.SequenceEqual(state.Select(s => s.Name)))
        {
            throw new ArgumentException($"The optimiser keeps state [{string.Join(", ", names)}], got [{string.Join(", ", state.Select(s => s.Name))}].", nameof(state));
        }

        foreach (OptimizerStateVector vector in state)
        {
            if (vector.Values.Length != Layout.Total)
            {
                throw new ArgumentException($"Expected {Layout.Total} values of state '{vector.Name}', got {vector.Values.Length}.", nameof(state));
            }
        }

        _replica.SetWeights(weights);
        for (int i = 0; i < _state.Length; i++)
        {
            _state[i].Upload(state[i].Values);
        }

        Step = step;
        SkippedSteps = skippedSteps;
    }

    /// <summary>The batch plan for a training set of <paramref name="data"/>'s size (cached while the size stays the same).</summary>
    public BatchPlan PlanFor(IDataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (_plan is null || _plan.SampleCount != data.Count)
        {
            _plan = new BatchPlan(data.Count, Options.BatchSize, Options.MicroShards, Options.Seed, Options.Shuffle);
        }

        return _plan;
    }

    /// <summary>One optimiser step on global batch <see cref="Step"/> of <paramref name="data"/>.</summary>
    public StepResult TrainStep(IDataSet data)
    {
        BatchPlan plan = PlanFor(data);
        long step = Step;

        // Every micro-shard of the step on this replica: the fold leaves one partial, the root.
        DeviceGradients gradients = _replica.ComputeGradientSums(data, plan, step, 0, plan.MicroShards);
        Debug.Assert(gradients.Partials.Count == 1, "All micro-shards fold into the root.");
        BufferSpan gradientSum = gradients.Partials[0].Gradient;

        OptimizerSpec optimizer = Options.Optimizer;
        StepDecision decision = Optimizer.Decide(optimizer, step, _backend.SumOfSquares(gradientSum), plan.GlobalBatch);
        Optimizer.Apply(_backend, _replica.Weights, gradientSum, [.. _state.Select(s => s.All)], optimizer, decision, step - SkippedSteps + 1);
        Step = step + 1;
        SkippedSteps += decision.Skip ? 1 : 0;

        return new StepResult(
            step,
            gradients.LossSum / gradients.Samples,
            (double)gradients.Correct / gradients.Samples,
            decision.GradientNorm,
            decision.LearningRate,
            decision.Skip,
            decision.Clipped);
    }

    /// <summary>
    /// Trains <c>Options.Epochs</c> epochs (Keras' <c>fit</c>). Validation data is
    /// <paramref name="validation"/>, else the last <c>Options.ValidationSplit</c> of
    /// <paramref name="train"/>. Evaluates it after each epoch; applies early stopping.
    /// </summary>
    public History Fit(IDataSet train, IDataSet? validation = null, Action<EpochMetrics>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (validation is null && Options.ValidationSplit > 0)
        {
            (train, validation) = DataSplit.ValidationSplit(train, Options.ValidationSplit);
        }

        EarlyStopping? stopping = Options.EarlyStopping;
        if (stopping is { NeedsValidation: true } && validation is null)
        {
            throw new InvalidOperationException($"Early stopping monitors '{stopping.Monitor}' but there is no validation data: pass some or set ValidationSplit.");
        }

        if (stopping is not null && Spec.Loss == LossKind.MeanSquaredError && stopping.HigherIsBetter)
        {
            throw new InvalidOperationException($"Early stopping monitors '{stopping.Monitor}' but an MSE model has no accuracy.");
        }

        BatchPlan plan = PlanFor(train);
        var epochs = new List<EpochMetrics>();
        double best = stopping is { HigherIsBetter: true } ? double.NegativeInfinity : double.PositiveInfinity;
        long? bestEpoch = null;
        float[]? bestWeights = null;
        int wait = 0;
        bool stoppedEarly = false;
        for (int e = 0; e < Options.Epochs; e++)
        {
            var clock = Stopwatch.StartNew();
            long epoch = plan.EpochOf(Step);
            double lossSum = 0;
            double accuracySum = 0;
            int skipped = 0;
            int clipped = 0;
            float learningRate = 0;
            for (int s = 0; s < plan.StepsPerEpoch; s++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                StepResult r = TrainStep(train);
                lossSum += r.Loss;
                accuracySum += r.Accuracy;
                skipped += r.Skipped ? 1 : 0;
                clipped += r.Clipped ? 1 : 0;
                learningRate = r.LearningRate;
            }

            EvaluationResult? val = validation is null ? null : Evaluate(validation);
            var metrics = new EpochMetrics(
                epoch,
                lossSum / plan.StepsPerEpoch,
                accuracySum / plan.StepsPerEpoch,
                val?.Loss,
                val?.Accuracy,
                learningRate,
                skipped,
                clipped,
                clock.Elapsed,
                val?.TopKAccuracy);
            epochs.Add(metrics);
            onEpoch?.Invoke(metrics);

            if (stopping is not null)
            {
                // Keras: count the epoch, reset on an improvement, stop once patience is used up.
                double current = metrics[stopping.Monitor] ?? double.NaN;
                wait++;
                if (stopping.IsImprovement(current, best))
                {
                    best = current;
                    bestEpoch = epoch;
                    bestWeights = stopping.RestoreBestWeights ? Weights : null;
                    wait = 0;
                }
                else if (wait >= stopping.Patience && e > 0)
                {
                    stoppedEarly = true;
                    if (bestWeights is not null)
                    {
                        _replica.SetWeights(bestWeights);
                    }

                    break;
                }
            }
        }

        return new History(epochs, stoppedEarly, bestEpoch);
    }

    /// <summary>Loss and accuracy of the current weights on <paramref name="data"/> (batches of <c>Options.BatchSize</c> unless given).</summary>
    public EvaluationResult Evaluate(IDataSet data, int? batchSize = null, int? topK = null) =>
        _replica.Evaluate(data, batchSize ?? Options.BatchSize, topK ?? Options.TopK);

    /// <summary>Predictions for <paramref name="rows"/> input rows (see <see cref="ModelReplica.Predict(ReadOnlySpan{float}, int)"/>).</summary>
    public float[] Predict(ReadOnlySpan<float> inputs, int rows) => _replica.Predict(inputs, rows);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (DeviceBuffer state in _state)
        {
            state.Dispose();
        }

        _replica.Dispose();
    }
}
