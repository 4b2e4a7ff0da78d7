namespace DistTrain.Grains;

/// <summary>
/// Momentum SGD as the parameter server applies it (PyTorch form):
/// <c>g' = g/B·min(1, clip/‖g/B‖) + wd·w; v = μ·v + g'; w -= lr(s)·(nesterov ? g' + μ·v : v)</c>.
/// </summary>
/// <param name="LearningRate">Base learning rate.</param>
/// <param name="Momentum">Momentum μ in [0, 1); 0 is plain SGD.</param>
/// <param name="Nesterov">Use Nesterov momentum.</param>
/// <param name="WeightDecay">L2 weight-decay coefficient added to the gradient.</param>
/// <param name="ClipNorm">Clip the mean gradient to this global norm (tf.clip_by_global_norm); null disables clipping.</param>
/// <param name="Schedule">Learning-rate schedule; null is constant.</param>
[GenerateSerializer, Immutable, Alias("DistTrain.OptimizerSettings")]
public sealed record OptimizerSettings(
    [property: Id(0)] float LearningRate,
    [property: Id(1)] float Momentum = 0f,
    [property: Id(2)] bool Nesterov = false,
    [property: Id(3)] float WeightDecay = 0f,
    [property: Id(4)] float? ClipNorm = null,
    [property: Id(5)] ScheduleSettings? Schedule = null);
