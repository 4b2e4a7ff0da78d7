using DistTrain.Grains;

namespace DistTrain;

/// <summary>
/// How the parameter server updates the weights, as a settings object (Keras'
/// <c>optimizers.SGD(...)</c>): <see cref="Model.Compile(Optimizer, string, string[])"/> takes one,
/// and <see cref="ToSettings"/> turns it into the <see cref="OptimizerSettings"/> a run carries.
/// Every optimiser takes global-norm clipping and a learning-rate schedule.
/// </summary>
public abstract record Optimizer
{
    /// <summary>Clip the mean gradient to this global norm (<c>clipnorm</c>); null disables clipping.</summary>
    public float? ClipNorm { get; init; }

    /// <summary>
    /// Learning-rate schedule with optional warm-up; null is constant. A cosine decay with
    /// <see cref="ScheduleSettings.DecaySteps"/> 0 decays over the whole run.
    /// </summary>
    public ScheduleSettings? Schedule { get; init; }

    /// <summary>The settings the parameter server applies; throws an <see cref="ArgumentException"/> naming a setting out of range.</summary>
    public abstract OptimizerSettings ToSettings();

    /// <summary>An optimiser that hands <paramref name="settings"/> on as they are (for example a preset's).</summary>
    public static Optimizer FromSettings(OptimizerSettings settings) => new Configured(settings ?? throw new ArgumentNullException(nameof(settings)));

    private sealed record Configured(OptimizerSettings Settings) : Optimizer
    {
        public override OptimizerSettings ToSettings() => Settings;
    }
}

/// <summary>
/// Stochastic gradient descent with optional momentum and Nesterov momentum (Keras
/// <c>optimizers.SGD(learning_rate, momentum, nesterov)</c>; PyTorch's form of the update, see
/// <see cref="OptimizerSettings"/>), with optional L2 weight decay.
/// </summary>
/// <param name="LearningRate">Base learning rate, &gt; 0.</param>
/// <param name="Momentum">Momentum in [0, 1); 0 is plain SGD.</param>
/// <param name="Nesterov">Use Nesterov momentum (needs momentum &gt; 0).</param>
/// <param name="WeightDecay">L2 weight decay added to the gradient, ≥ 0.</param>
public sealed record Sgd(float LearningRate = 0.01f, float Momentum = 0f, bool Nesterov = false, float WeightDecay = 0f) : Optimizer
{
    /// <inheritdoc />
    public override OptimizerSettings ToSettings()
    {
        if (!float.IsFinite(LearningRate) || LearningRate <= 0)
        {
            throw new ArgumentException($"Sgd: the learning rate must be a positive number, got {LearningRate}.");
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new ArgumentException($"Sgd: the momentum must be in [0, 1), got {Momentum}.");
        }

        if (Nesterov && Momentum == 0)
        {
            throw new ArgumentException("Sgd: Nesterov momentum needs a momentum > 0.");
        }

        if (!float.IsFinite(WeightDecay) || WeightDecay < 0)
        {
            throw new ArgumentException($"Sgd: the weight decay must not be negative, got {WeightDecay}.");
        }

        if (ClipNorm is { } clip && !(float.IsFinite(clip) && clip > 0))
        {
            throw new ArgumentException($"Sgd: ClipNorm must be positive, got {clip}.");
        }

        return new OptimizerSettings(LearningRate, Momentum, Nesterov, WeightDecay, ClipNorm, Schedule);
    }
}
