namespace DistTrain.Kernels.Optim;

/// <summary>
/// Settings of the optimiser applied at the parameter server (and by the local loop).
/// <see cref="Kind"/> picks the rule; presets are settings: plain SGD (<c>Momentum = 0</c>),
/// momentum, Nesterov, Adam with or without AMSGrad, … The factories <see cref="Sgd"/>,
/// <see cref="Adam"/>, <see cref="AdamW"/>, <see cref="RmsProp"/> and <see cref="Adagrad"/>
/// give Keras' defaults. Every rule first forms <c>g = clip(g_sum/B) + λ·w</c> (λ =
/// <see cref="WeightDecay"/>, an L2 term) except AdamW, whose λ is decoupled
/// (<c>w -= lr·λ·w</c>); see <see cref="Optimizer"/> for the formulas.
/// </summary>
/// <param name="LearningRate">Base learning rate (before the schedule), &gt; 0.</param>
/// <param name="Momentum">Momentum μ in [0, 1) (SGD and RMSprop).</param>
/// <param name="Nesterov">Nesterov momentum (SGD; needs μ &gt; 0).</param>
/// <param name="WeightDecay">Weight decay λ ≥ 0: L2 (adds λ·w to the averaged, clipped gradient), decoupled for AdamW.</param>
/// <param name="ClipNorm">Global-norm clipping threshold (tf.clip_by_global_norm), or null for none.</param>
/// <param name="Schedule">Learning-rate schedule, or null for a constant rate.</param>
public sealed record OptimizerSpec(
    float LearningRate,
    float Momentum = 0,
    bool Nesterov = false,
    float WeightDecay = 0,
    float? ClipNorm = null,
    LearningRateSchedule? Schedule = null)
{
    /// <summary>Keras' default ε of Adam, AdamW, RMSprop and Adagrad.</summary>
    public const float DefaultEpsilon = 1e-7f;

    /// <summary>The largest number of state vectors any rule keeps.</summary>
    public const int MaxStateVectors = 3;

    /// <summary>The update rule (SGD by default).</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Sgd;

    /// <summary>Adam's β₁, the decay of the first moment, in [0, 1) (Keras <c>beta_1</c>).</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Adam's β₂, the decay of the second moment, in [0, 1) (Keras <c>beta_2</c>).</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>ε of Adam, AdamW, RMSprop and Adagrad, &gt; 0 (Keras <c>epsilon</c>).</summary>
    public float Epsilon { get; init; } = DefaultEpsilon;

    /// <summary>Adam's AMSGrad variant: divide by the running maximum of the second moment (Keras <c>amsgrad</c>).</summary>
    public bool Amsgrad { get; init; }

    /// <summary>RMSprop's ρ, the decay of the mean square, in [0, 1) (Keras <c>rho</c>).</summary>
    public float Rho { get; init; } = 0.9f;

    /// <summary>Centred RMSprop: divide by the estimated variance instead of the mean square (Keras <c>centered</c>).</summary>
    public bool Centered { get; init; }

    /// <summary>Adagrad's starting accumulator value, ≥ 0 (Keras <c>initial_accumulator_value</c>).</summary>
    public float InitialAccumulatorValue { get; init; } = 0.1f;

    /// <summary>SGD (Keras defaults: lr 0.01, no momentum).</summary>
    public static OptimizerSpec Sgd(float learningRate = 0.01f, float momentum = 0, bool nesterov = false) =>
        new(learningRate, momentum, nesterov);

    /// <summary>Adam (Keras defaults: lr 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7, no AMSGrad).</summary>
    public static OptimizerSpec Adam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = DefaultEpsilon, bool amsgrad = false) =>
        new(learningRate) { Kind = OptimizerKind.Adam, Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon, Amsgrad = amsgrad };

    /// <summary>AdamW (Keras defaults: lr 0.001, weight decay 0.004, β₁ 0.9, β₂ 0.999, ε 1e-7).</summary>
    public static OptimizerSpec AdamW(float learningRate = 0.001f, float weightDecay = 0.004f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = DefaultEpsilon, bool amsgrad = false) =>
        new(learningRate, WeightDecay: weightDecay) { Kind = OptimizerKind.AdamW, Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon, Amsgrad = amsgrad };

    /// <summary>RMSprop (Keras defaults: lr 0.001, ρ 0.9, no momentum, ε 1e-7, not centred).</summary>
    public static OptimizerSpec RmsProp(float learningRate = 0.001f, float rho = 0.9f, float momentum = 0, float epsilon = DefaultEpsilon, bool centered = false) =>
        new(learningRate, momentum) { Kind = OptimizerKind.RmsProp, Rho = rho, Epsilon = epsilon, Centered = centered };

    /// <summary>Adagrad (Keras defaults: lr 0.001, initial accumulator 0.1, ε 1e-7).</summary>
    public static OptimizerSpec Adagrad(float learningRate = 0.001f, float initialAccumulatorValue = 0.1f, float epsilon = DefaultEpsilon) =>
        new(learningRate) { Kind = OptimizerKind.Adagrad, InitialAccumulatorValue = initialAccumulatorValue, Epsilon = epsilon };

    /// <summary>
    /// The names of the state vectors this rule keeps, in order (Keras' names), each as long
    /// as the parameter vector: SGD <c>velocity</c>; Adam/AdamW <c>momentum, velocity</c>
    /// (+ <c>velocity_hat</c>); RMSprop <c>velocity</c> (+ <c>momentum</c>, + <c>average_gradient</c>);
    /// Adagrad <c>accumulator</c>.
    /// </summary>
    public IReadOnlyList<string> StateNames => Kind switch
    {
        OptimizerKind.Sgd => ["velocity"],
        OptimizerKind.Adam or OptimizerKind.AdamW => Amsgrad ? ["momentum", "velocity", "velocity_hat"] : ["momentum", "velocity"],
        OptimizerKind.RmsProp => [.. new[] { "velocity" }.Concat(Momentum > 0 ? ["momentum"] : []).Concat(Centered ? ["average_gradient"] : [])],
        OptimizerKind.Adagrad => ["accumulator"],
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), $"Unknown optimizer kind {Kind}."),
    };

    /// <summary>The value every element of state vector <paramref name="index"/> starts at (0, or Adagrad's initial accumulator).</summary>
    public float InitialStateValue(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, StateNames.Count);
        return Kind == OptimizerKind.Adagrad ? InitialAccumulatorValue : 0f;
    }

    /// <summary>Throws a clear exception when a setting is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentException($"Optimizer: unknown kind {Kind}.");
        }

        if (!float.IsFinite(LearningRate) || LearningRate <= 0)
        {
            throw new ArgumentException($"Optimizer: LearningRate must be finite and > 0, got {LearningRate}.");
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new ArgumentException($"Optimizer: Momentum must be in [0, 1), got {Momentum}.");
        }

        if (Momentum != 0 && Kind is not (OptimizerKind.Sgd or OptimizerKind.RmsProp))
        {
            throw new ArgumentException($"Optimizer: Momentum applies to SGD and RMSprop, not {Kind} (use Beta1 for Adam).");
        }

        if (Nesterov && (Momentum == 0 || Kind != OptimizerKind.Sgd))
        {
            throw new ArgumentException("Optimizer: Nesterov applies to SGD and needs Momentum > 0.");
        }

        if (!float.IsFinite(WeightDecay) || WeightDecay < 0)
        {
            throw new ArgumentException($"Optimizer: WeightDecay must be finite and ≥ 0, got {WeightDecay}.");
        }

        if (ClipNorm is { } clip && !(float.IsFinite(clip) && clip > 0))
        {
            throw new ArgumentException($"Optimizer: ClipNorm must be finite and > 0, got {clip}.");
        }

        CheckUnitInterval(Beta1, nameof(Beta1));
        CheckUnitInterval(Beta2, nameof(Beta2));
        CheckUnitInterval(Rho, nameof(Rho));
        if (!float.IsFinite(Epsilon) || Epsilon <= 0)
        {
            throw new ArgumentException($"Optimizer: Epsilon must be finite and > 0, got {Epsilon}.");
        }

        if (!float.IsFinite(InitialAccumulatorValue) || InitialAccumulatorValue < 0)
        {
            throw new ArgumentException($"Optimizer: InitialAccumulatorValue must be finite and ≥ 0, got {InitialAccumulatorValue}.");
        }

        if (Amsgrad && Kind is not (OptimizerKind.Adam or OptimizerKind.AdamW))
        {
            throw new ArgumentException($"Optimizer: Amsgrad applies to Adam and AdamW, not {Kind}.");
        }

        if (Centered && Kind != OptimizerKind.RmsProp)
        {
            throw new ArgumentException($"Optimizer: Centered applies to RMSprop, not {Kind}.");
        }

        Schedule?.Validate();
    }

    /// <summary>The learning rate of global step <paramref name="step"/> after the schedule.</summary>
    public double LearningRateAt(long step) => Schedule?.At(LearningRate, step) ?? LearningRate;

    private static void CheckUnitInterval(float value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentException($"Optimizer: {name} must be in [0, 1), got {value}.");
        }
    }
}
