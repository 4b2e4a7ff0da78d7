using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Models;

/// <summary>
/// One layer of a sequential model on a compute backend. Every tensor is a batch of rows:
/// <c>input: (rows, InputSize)</c>, <c>output: (rows, OutputSize)</c>, one row per sample,
/// laid out row-major in the sample's shape. The training step calls, in order:
/// <list type="number">
/// <item><see cref="Forward"/> over all of a worker's rows at once;</item>
/// <item><see cref="Backward"/> over all rows (per-sample work: the input gradient);</item>
/// <item><see cref="ParameterGradientTree"/> once per aligned range of micro-shards (the sums
/// over samples, which must follow the fixed micro-shard tree).</item>
/// </list>
/// A layer is created per replica, so it may keep scratch buffers (see <see cref="Allocate"/>).
/// </summary>
public abstract class Layer : IDisposable
{
    /// <summary>Creates a layer mapping samples of <paramref name="inputShape"/> to <paramref name="outputShape"/>.</summary>
    protected Layer(string name, IReadOnlyList<int> inputShape, IReadOnlyList<int> outputShape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        InputShape = [.. inputShape];
        OutputShape = [.. outputShape];
        InputSize = InputShape.Aggregate(1, (a, d) => checked(a * d));
        OutputSize = OutputShape.Aggregate(1, (a, d) => checked(a * d));
    }

    /// <summary>Unique name within the model, for example <c>dense_0</c>; prefixes the parameter names.</summary>
    public string Name { get; }

    /// <summary>Shape of one input sample.</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>Shape of one output sample.</summary>
    public IReadOnlyList<int> OutputShape { get; }

    /// <summary>Floats per input row.</summary>
    public int InputSize { get; }

    /// <summary>Floats per output row.</summary>
    public int OutputSize { get; }

    /// <summary>The layer's parameter tensors, stored one after the other in its slice of the flat parameter vector.</summary>
    public virtual IReadOnlyList<LayerParameter> Parameters => [];

    /// <summary>Total floats of <see cref="Parameters"/>.</summary>
    public int ParameterCount => Parameters.Sum(p => p.Length);

    /// <summary>
    /// Writes this layer's initial parameters (its whole slice of the flat vector) for run seed
    /// <paramref name="seed"/>, or returns false (the default) for <see cref="ParameterInitializer"/>
    /// to fill each of <see cref="Parameters"/> from its <see cref="LayerParameter.Initializer"/>.
    /// <paramref name="firstStream"/> is the random stream the initialiser gives the layer's first tensor.
    /// </summary>
    public virtual bool TryInitializeParameters(Span<float> parameters, ulong seed, ulong firstStream) => false;

    /// <summary>Allocates scratch buffers for up to <paramref name="maxRows"/> rows; called again when more rows are needed.</summary>
    public virtual void Allocate(IComputeBackend backend, int maxRows)
    {
    }

    /// <summary>
    /// <c>output = layer(input)</c> for <paramref name="rows"/> rows.
    /// parameters: this layer's slice of the flat weights; input: (rows, InputSize); output: (rows, OutputSize).
    /// </summary>
    public abstract void Forward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, int rows);

    /// <summary>
    /// The per-sample part of the backward pass. May overwrite <paramref name="gradOutput"/> with
    /// whatever <see cref="ParameterGradients"/> needs (for Dense: the gradient of the
    /// pre-activation); writes (does not accumulate) <paramref name="gradInput"/> unless it is null
    /// (the first layer). input: (rows, InputSize) as given to Forward; output: (rows, OutputSize)
    /// as written by Forward; gradOutput: (rows, OutputSize); gradInput: (rows, InputSize).
    /// </summary>
    public abstract void Backward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, BufferSpan gradOutput, BufferSpan? gradInput, int rows);

    /// <summary>
    /// Writes (overwrites) into <paramref name="gradient"/> (this layer's slice of a flat
    /// gradient) the sums over <paramref name="rows"/> samples of the parameter gradients.
    /// Called per micro-shard after <see cref="Backward"/>, with row slices of the same buffers.
    /// input: (rows, InputSize); gradOutput: (rows, OutputSize) as left by Backward.
    /// </summary>
    public virtual void ParameterGradients(in LayerContext context, BufferSpan input, BufferSpan gradOutput, BufferSpan gradient, int rows)
    {
    }

    /// <summary>
    /// Writes into <paramref name="gradient"/> (this layer's slice of a flat gradient) the
    /// parameter-gradient sums of <paramref name="leaves"/> consecutive micro-shards of
    /// <paramref name="leafRows"/> rows each, added pairwise in the micro-shard tree order
    /// (<see cref="PairwiseFold"/>). input: (leaves·leafRows, InputSize); gradOutput as left by
    /// <see cref="Backward"/>; <c>context.FirstRow</c> is the first micro-shard's first row.
    /// The default computes <see cref="ParameterGradients"/> per micro-shard and folds them;
    /// an override must give the same bits (Dense folds inside <see cref="IComputeBackend.GemmTree"/>).
    /// </summary>
    public virtual void ParameterGradientTree(in LayerContext context, BufferSpan input, BufferSpan gradOutput, BufferSpan gradient, int leafRows, int leaves, PairwiseFold fold) =>
        ParameterGradientsByLeaf(context, input, gradOutput, gradient, leafRows, leaves, fold, null);

    /// <summary>
    /// The default of <see cref="ParameterGradientTree"/>: <see cref="ParameterGradients"/> per
    /// micro-shard, then <paramref name="addToLeaf"/> (for example a regulariser's gradient) on
    /// that micro-shard's sum, then the pairwise fold.
    /// </summary>
    public void ParameterGradientsByLeaf(in LayerContext context, BufferSpan input, BufferSpan gradOutput, BufferSpan gradient, int leafRows, int leaves, PairwiseFold fold, Action<BufferSpan>? addToLeaf)
    {
        ArgumentNullException.ThrowIfNull(fold);
        LayerContext first = context;
        fold.Run(gradient, leaves, (leaf, target) =>
        {
            var leafContext = first with { FirstRow = first.FirstRow + (leaf * leafRows) };
            ParameterGradients(leafContext, input.Slice(leaf * leafRows * InputSize, leafRows * InputSize), gradOutput.Slice(leaf * leafRows * OutputSize, leafRows * OutputSize), target, leafRows);
            addToLeaf?.Invoke(target);
        });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases scratch buffers.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
