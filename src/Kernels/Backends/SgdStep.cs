namespace DistTrain.Kernels.Backends;

/// <summary>
/// Settings of one momentum-SGD update (PyTorch form):
/// <c>g' = GradientScale·g + WeightDecay·w; v = Momentum·v + g';
/// w -= LearningRate·(Nesterov ? g' + Momentum·v : v)</c>.
/// </summary>
/// <param name="LearningRate">Learning rate of this step (after the schedule).</param>
/// <param name="Momentum">Momentum μ in [0, 1); 0 is plain SGD.</param>
/// <param name="Nesterov">Use Nesterov momentum.</param>
/// <param name="WeightDecay">L2 weight decay coefficient added to the gradient.</param>
/// <param name="GradientScale">Factor applied to the raw gradient first (1/global batch times the clipping factor).</param>
public readonly record struct SgdStep(float LearningRate, float Momentum, bool Nesterov, float WeightDecay, float GradientScale);
