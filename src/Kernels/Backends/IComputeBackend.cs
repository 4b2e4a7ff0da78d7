namespace DistTrain.Kernels.Backends;

/// <summary>
/// The tensor engine. All matrices are dense and row-major; <c>rows × cols</c> shapes are
/// given with each call. Every operation is deterministic: the same inputs give the same
/// bits whatever the thread count or tiling. In particular, <see cref="Gemm"/> gives each
/// output element an accumulation order over <c>k</c> that depends only on <c>k</c>, never
/// on <c>m</c>, <c>n</c> or the number of threads, so rows can be computed in any grouping.
/// </summary>
/// <remarks>
/// Losses return the <b>sum</b> over rows of the per-sample loss and write the gradient of
/// that sum (the caller divides by the global batch size once, after the micro-shard tree sum).
/// </remarks>
public partial interface IComputeBackend : IDisposable
{
    /// <summary>Short name, for example <c>cpu</c>, <c>ilgpu-cuda</c>, <c>ilgpu-cpu</c>.</summary>
    string Name { get; }

    /// <summary>Allocates a zero-filled buffer of <paramref name="length"/> floats.</summary>
    DeviceBuffer Allocate(int length);

    /// <summary>Sets every element of <paramref name="x"/> to <paramref name="value"/>.</summary>
    void Fill(BufferSpan x, float value);

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    void Copy(BufferSpan source, BufferSpan destination);

    /// <summary>
    /// <c>C = alpha·op(A)·op(B) + beta·C</c> with op(A): (m, k), op(B): (k, n), C: (m, n).
    /// A is stored (m, k) or, transposed, (k, m); B is stored (k, n) or, transposed, (n, k).
    /// When <paramref name="beta"/> is 0, C is overwritten (NaNs in C do not propagate).
    /// </summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, BufferSpan a, BufferSpan b, float beta, BufferSpan c);

    /// <summary>
    /// The micro-shard tree sum of products (weight gradients): <c>C (m, n) = ((P₀ + P₁) + (P₂ + P₃)) + …</c>
    /// with <c>Pₗ = Aₗᵀ·Bₗ</c>, where Aₗ and Bₗ are rows <c>[l·leafRows, (l+1)·leafRows)</c> of
    /// A, stored (leaves·leafRows, m), and B, stored (leaves·leafRows, n). C is overwritten.
    /// Bit-identical, on the same backend, to one <see cref="Gemm"/>(true, false, m, n, leafRows,
    /// 1, Aₗ, Bₗ, 0, Pₗ) per leaf followed by those <see cref="Add"/>s. <c>leaves</c> is a
    /// positive power of two.
    /// </summary>
    void GemmTree(int m, int n, int leafRows, int leaves, BufferSpan a, BufferSpan b, BufferSpan c);

    /// <summary><c>x[r, c] += bias[c]</c>. x: (rows, cols), bias: (cols).</summary>
    void AddBias(BufferSpan x, BufferSpan bias, int rows, int cols);

    /// <summary>
    /// <c>gradBias[c] = Σ_r gradOutput[r, c]</c> (rows summed in order), or <c>+=</c> when
    /// <paramref name="accumulate"/>. gradOutput: (rows, cols), gradBias: (cols).
    /// </summary>
    void BiasGradient(BufferSpan gradOutput, BufferSpan gradBias, int rows, int cols, bool accumulate);

    /// <summary><c>output = f(input)</c>; input and output may be the same span. Shapes: (rows, cols).</summary>
    void ActivationForward(ActivationKind kind, BufferSpan input, BufferSpan output, int rows, int cols);

    /// <summary>
    /// <c>gradInput = f'(·) ⊙ gradOutput</c> computed from the forward <paramref name="output"/>
    /// (softmax: the full Jacobian-vector product per row). Overwrites gradInput, which may
    /// alias gradOutput. Shapes: (rows, cols).
    /// </summary>
    void ActivationBackward(ActivationKind kind, BufferSpan output, BufferSpan gradOutput, BufferSpan gradInput, int rows, int cols);

    /// <summary>
    /// Categorical cross-entropy from logits, fused with softmax and numerically stable:
    /// per row <c>−Σ_j t_j·log softmax(z)_j</c>. Writes the probabilities and
    /// <c>gradLogits = p·Σ_j t_j − t</c>; returns the sum of the row losses.
    /// </summary>
    double SoftmaxCrossEntropy(BufferSpan logits, BufferSpan targets, BufferSpan probabilities, BufferSpan gradLogits, int rows, int cols);

    /// <summary>
    /// Mean squared error, per row <c>mean_j (p − t)²</c> (Keras). Writes
    /// <c>gradPredictions = 2(p − t)/cols</c>; returns the sum of the row losses.
    /// </summary>
    double MeanSquaredError(BufferSpan predictions, BufferSpan targets, BufferSpan gradPredictions, int rows, int cols);

    /// <summary>
    /// Binary cross-entropy from logits, per row <c>mean_j [max(z,0) − z·t + log(1 + e^−|z|)]</c>.
    /// Writes <c>gradLogits = (σ(z) − t)/cols</c>; returns the sum of the row losses.
    /// </summary>
    double BinaryCrossEntropyWithLogits(BufferSpan logits, BufferSpan targets, BufferSpan gradLogits, int rows, int cols);

    /// <summary>Rows whose argmax of <paramref name="predictions"/> equals the argmax of <paramref name="targets"/> (first index wins ties).</summary>
    int CountCorrect(BufferSpan predictions, BufferSpan targets, int rows, int cols);

    /// <summary>Rows whose target class (argmax of targets) is among the <paramref name="k"/> largest predictions (ties broken by lower index).</summary>
    int CountTopK(BufferSpan predictions, BufferSpan targets, int rows, int cols, int k);

    /// <summary>Σ x², accumulated in double in a fixed order.</summary>
    double SumOfSquares(BufferSpan x);

    /// <summary><c>x *= alpha</c>.</summary>
    void Scale(BufferSpan x, float alpha);

    /// <summary><c>y += alpha·x</c>.</summary>
    void Axpy(float alpha, BufferSpan x, BufferSpan y);

    /// <summary><c>result = a + b</c> element-wise; result may alias a or b.</summary>
    void Add(BufferSpan a, BufferSpan b, BufferSpan result);

    /// <summary>One momentum-SGD update of <paramref name="weights"/> and <paramref name="velocity"/>; see <see cref="SgdStep"/>.</summary>
    void MomentumSgd(BufferSpan weights, BufferSpan gradient, BufferSpan velocity, SgdStep step);
}
