namespace DistTrain.Grains;

/// <summary>
/// The optimiser as the parameter server applies it. Every rule starts from
/// <c>g = g_sum/B·min(1, clip/‖g_sum/B‖) + wd·w</c> (for AdamW the decay is decoupled,
/// <c>w -= lr·wd·w</c>), then: SGD <c>v = μ·v + g; w -= lr(s)·(nesterov ? g + μ·v : v)</c>;
/// Adam/AdamW, RMSprop and Adagrad in Keras' form (docs/OPTIMIZERS.md). Defaults of the
/// positional parameters after <paramref name="Schedule"/> are Keras'.
/// </summary>
/// <param name="LearningRate">Base learning rate.</param>
/// <param name="Momentum">Momentum μ in [0, 1) of SGD and RMSprop; 0 is none.</param>
/// <param name="Nesterov">Use Nesterov momentum (SGD).</param>
/// <param name="WeightDecay">Weight-decay coefficient: L2 added to the gradient, decoupled for AdamW.</param>
/// <param name="ClipNorm">Clip the mean gradient to this global norm (tf.clip_by_global_norm); null disables clipping.</param>
/// <param name="Schedule">Learning-rate schedule; null is constant.</param>
/// <param name="Algorithm">The update rule.</param>
/// <param name="Beta1">Adam's <c>beta_1</c>.</param>
/// <param name="Beta2">Adam's <c>beta_2</c>.</param>
/// <param name="Epsilon">ε of Adam, RMSprop and Adagrad.</param>
/// <param name="Amsgrad">Adam's AMSGrad variant.</param>
/// <param name="Rho">RMSprop's <c>rho</c>.</param>
/// <param name="Centered">Centred RMSprop.</param>
/// <param name="InitialAccumulatorValue">Adagrad's <c>initial_accumulator_value</c>.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.OptimizerSettings")]
public sealed record OptimizerSettings(
    [property: Id(0)] float LearningRate,
    [property: Id(1)] float Momentum = 0f,
    [property: Id(2)] bool Nesterov = false,
    [property: Id(3)] float WeightDecay = 0f,
    [property: Id(4)] float? ClipNorm = null,
    [property: Id(5)] ScheduleSettings? Schedule = null,
    [property: Id(6)] OptimizerAlgorithm Algorithm = OptimizerAlgorithm.Sgd,
    [property: Id(7)] float Beta1 = 0.9f,
    [property: Id(8)] float Beta2 = 0.999f,
    [property: Id(9)] float Epsilon = 1e-7f,
    [property: Id(10)] bool Amsgrad = false,
    [property: Id(11)] float Rho = 0.9f,
    [property: Id(12)] bool Centered = false,
    [property: Id(13)] float InitialAccumulatorValue = 0.1f);
