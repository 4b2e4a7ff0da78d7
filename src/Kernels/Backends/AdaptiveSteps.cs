namespace DistTrain.Kernels.Backends;

/// <summary>
/// Settings of one Adam/AdamW update (Keras form), element by element:
/// <code>
/// g  = GradientScale·g_sum + WeightDecay·w          (L2; 0 for AdamW)
/// w  = w − w·DecoupledDecay                         (AdamW: lr·λ; skipped when 0)
/// m += (g − m)·OneMinusBeta1
/// v += (g² − v)·OneMinusBeta2
/// v̂  = max(v̂, v)                                    (AMSGrad only; divides instead of v)
/// w −= (m·Alpha) / (√v + Epsilon)
/// </code>
/// <c>Alpha = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)</c> folds the bias correction of update t into the step size.
/// </summary>
/// <param name="Alpha">The bias-corrected step size of this update.</param>
/// <param name="OneMinusBeta1">1 − β₁.</param>
/// <param name="OneMinusBeta2">1 − β₂.</param>
/// <param name="Epsilon">ε, added to √v.</param>
/// <param name="GradientScale">Factor applied to the raw gradient sum (1/global batch times the clipping factor).</param>
/// <param name="WeightDecay">L2 coefficient added to the gradient (Adam).</param>
/// <param name="DecoupledDecay">Decoupled decay factor lr·λ (AdamW), 0 for none.</param>
/// <param name="Amsgrad">Keep and divide by the running maximum v̂.</param>
public readonly record struct AdamStep(float Alpha, float OneMinusBeta1, float OneMinusBeta2, float Epsilon, float GradientScale, float WeightDecay, float DecoupledDecay, bool Amsgrad);

/// <summary>
/// Settings of one RMSprop update (Keras form), element by element:
/// <code>
/// g  = GradientScale·g_sum + WeightDecay·w
/// s  = Rho·s + OneMinusRho·g²
/// ḡ  = Rho·ḡ + OneMinusRho·g                       (centred only)
/// Δ  = LearningRate·g / √(s − ḡ² + Epsilon)         (ḡ² only when centred)
/// p  = Momentum·p + Δ; w −= p                       (with momentum; else w −= Δ)
/// </code>
/// </summary>
/// <param name="LearningRate">Learning rate of this step.</param>
/// <param name="Rho">ρ, the decay of the mean square.</param>
/// <param name="OneMinusRho">1 − ρ.</param>
/// <param name="Momentum">Momentum μ; 0 for none (no momentum vector).</param>
/// <param name="Epsilon">ε, inside the square root.</param>
/// <param name="GradientScale">Factor applied to the raw gradient sum.</param>
/// <param name="WeightDecay">L2 coefficient added to the gradient.</param>
/// <param name="Centered">Subtract the squared mean gradient ḡ².</param>
public readonly record struct RmsPropStep(float LearningRate, float Rho, float OneMinusRho, float Momentum, float Epsilon, float GradientScale, float WeightDecay, bool Centered);

/// <summary>
/// Settings of one Adagrad update (Keras form), element by element:
/// <c>g = GradientScale·g_sum + WeightDecay·w; a += g²; w −= LearningRate·g / √(a + Epsilon)</c>.
/// </summary>
/// <param name="LearningRate">Learning rate of this step.</param>
/// <param name="Epsilon">ε, inside the square root.</param>
/// <param name="GradientScale">Factor applied to the raw gradient sum.</param>
/// <param name="WeightDecay">L2 coefficient added to the gradient.</param>
public readonly record struct AdagradStep(float LearningRate, float Epsilon, float GradientScale, float WeightDecay);
