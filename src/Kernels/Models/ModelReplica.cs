using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Data;
using DistTrain.Kernels.Training;

namespace DistTrain.Kernels.Models;

/// <summary>
/// One copy of a model on one compute backend: its flat weights, its layers, and buffers for
/// the rows it computes. Computes the gradient SUMS of a range of micro-shards of a global
/// step: forward and backward run over all the range's rows at once (the per-sample work,
/// whose results do not depend on the grouping of rows), then the parameter gradients are
/// summed per micro-shard and folded pairwise in the fixed tree order
/// (<see cref="MicroShardTree"/>, <see cref="Layer.ParameterGradientTree"/>), so that any split of the micro-shards over replicas gives
/// the same bits once a <see cref="TreeReducer"/> adds the partials.
/// </summary>
/// <remarks>Not thread-safe. Buffers grow to the largest row count seen and are then reused.</remarks>
public sealed partial class ModelReplica : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly Layer[] _layers;
    private readonly int[] _parameterOffsets;
    private readonly DeviceBuffer _weights;
    private readonly ParameterRegularization _regularization;
    private readonly ParameterRegularization[] _layerRegularization;
    private readonly PairwiseFold _pairwiseFold;
    private readonly LossKind _loss;
    private readonly ActivationKind _prediction;
    private readonly int _inputSize;
    private readonly int _outputSize;
    private readonly DeviceBuffer[] _outputs;
    private readonly DeviceBuffer[] _gradients;
    private readonly Stack<DeviceBuffer> _free = new();
    private readonly List<DeviceBuffer> _foldBuffers = [];
    private readonly List<DevicePartialGradient> _fold = [];
    private DeviceBuffer? _input;
    private DeviceBuffer? _targets;
    private DeviceBuffer? _predictions;
    private float[] _hostInputs = [];
    private float[] _hostTargets = [];
    private float[] _hostOutputs = [];
    private int _capacity;

    /// <summary>Creates a replica of <paramref name="spec"/> on <paramref name="backend"/> with all weights zero (call <see cref="SetWeights"/>).</summary>
    public ModelReplica(ModelSpec spec, IComputeBackend backend)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(backend);
        Spec = spec;
        Layout = ParameterLayout.For(spec);
        _backend = backend;
        _layers = [.. spec.CreateLayers()];
        _parameterOffsets = new int[_layers.Length];
        for (int l = 1; l < _layers.Length; l++)
        {
            _parameterOffsets[l] = _parameterOffsets[l - 1] + _layers[l - 1].ParameterCount;
        }

        _loss = spec.Loss;
        _prediction = spec.PredictionActivation;
        _inputSize = spec.InputSize;
        _outputSize = _layers[^1].OutputSize;
        _weights = backend.Allocate(Layout.Total);
        _regularization = ParameterRegularization.For(_layers);
        _layerRegularization = [.. _layers.Select(layer => ParameterRegularization.For([layer]))];
        _pairwiseFold = new PairwiseFold(backend);
        _outputs = new DeviceBuffer[_layers.Length];
        _gradients = new DeviceBuffer[_layers.Length];
    }

    /// <summary>The model this replica computes.</summary>
    public ModelSpec Spec { get; }

    /// <summary>The layout of the flat weights and gradients.</summary>
    public ParameterLayout Layout { get; }

    /// <summary>The backend that owns the replica's buffers.</summary>
    public IComputeBackend Backend => _backend;

    /// <summary>The replica's weights in backend memory; a trainer on the same backend may update them in place.</summary>
    public BufferSpan Weights => _weights.All;

    /// <summary>Replaces the weights (a whole flat vector of <see cref="ParameterLayout.Total"/> floats).</summary>
    public void SetWeights(ReadOnlySpan<float> weights)
    {
        if (weights.Length != Layout.Total)
        {
            throw new ArgumentException($"Expected {Layout.Total} weights for this model, got {weights.Length}.", nameof(weights));
        }

        _weights.Upload(weights);
    }

    /// <summary>A host copy of the weights.</summary>
    public float[] GetWeights() => _weights.ToArray();

    /// <summary>
    /// Forward and backward of micro-shards <c>[firstShard, firstShard + shardCount)</c> of global
    /// step <paramref name="step"/>; returns host copies of the gradient sums, one per node of
    /// <see cref="MicroShardTree.Cover"/>.
    /// </summary>
    public ShardGradients ComputeGradients(IDataSet data, BatchPlan plan, long step, int firstShard, int shardCount)
    {
        DeviceGradients result = ComputeGradientSums(data, plan, step, firstShard, shardCount);
        var partials = new PartialGradient[result.Partials.Count];
        for (int i = 0; i < partials.Length; i++)
        {
            partials[i] = new PartialGradient(result.Partials[i].Node, result.Partials[i].Gradient.ToArray());
        }

        return new ShardGradients(partials, result.LossSum, result.Correct, result.Samples);
    }

    /// <summary>
    /// As <see cref="ComputeGradients"/>, leaving the sums in backend buffers that stay valid
    /// until the next call on this replica (no per-step allocation).
    /// </summary>
    public DeviceGradients ComputeGradientSums(IDataSet data, BatchPlan plan, long step, int firstShard, int shardCount) =>
        Compute(data, plan, step, firstShard, shardCount, _weights.All);

    /// <summary>
    /// As <see cref="ComputeGradientSums(IDataSet, BatchPlan, long, int, int)"/>, with
    /// <paramref name="weights"/> in place of the replica's own (which stay as they are): a flat
    /// vector of <see cref="ParameterLayout.Total"/> floats in memory of the same kind as the
    /// replica's (host memory for the CPU engine), for example a parameter-server slice's,
    /// borrowed for the call instead of copied. They must not change during the call.
    /// </summary>
    public DeviceGradients ComputeGradientSums(IDataSet data, BatchPlan plan, long step, int firstShard, int shardCount, BufferSpan weights, ComputeHooks? hooks = null)
    {
        if (weights.Length != Layout.Total)
        {
            throw new ArgumentException($"Expected {Layout.Total} weights for this model, got {weights.Length}.", nameof(weights));
        }

        if (weights.Buffer is null || weights.Buffer.GetType() != _weights.GetType())
        {
            throw new ArgumentException($"The weights are in {weights.Buffer?.GetType().Name ?? "no"} memory; this replica computes on {_weights.GetType().Name} memory.", nameof(weights));
        }

        return Compute(data, plan, step, firstShard, shardCount, weights, hooks);
    }

    private DeviceGradients Compute(IDataSet data, BatchPlan plan, long step, int firstShard, int shardCount, BufferSpan weights, ComputeHooks? hooks = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        CheckData(data);
        MicroShardTree.CheckRange(firstShard, shardCount, plan.MicroShards);
        if (plan.SampleCount != data.Count)
        {
            throw new ArgumentException($"The batch plan is for {plan.SampleCount} samples but the data set has {data.Count}.", nameof(plan));
        }

        int leafRows = plan.MicroShardSize;
        int rows = shardCount * leafRows;
        EnsureCapacity(rows);
        ReadRows(data, plan.Indices(step, firstShard, shardCount));

        var context = new LayerContext(_backend, true, step, firstShard * leafRows, plan.Seed);
        Forward(context, weights, rows, hooks?.BeforeForward);
        // Kernel regularisers: rows·penalty, so the step's sum over all micro-shards is B·penalty (see Regularizer).
        double lossSum = LossAndGradient(rows) + (rows * _regularization.Penalty(_backend, weights));
        long correct = CountCorrect(rows);

        // One partial per maximal aligned subtree of the range; each layer folds its micro-shards' sums in tree order,
        // right after its backward (the last layer first), so a layer's gradient is final while earlier layers still compute.
        ReleaseFold();
        foreach (TreeNode node in MicroShardTree.Cover(firstShard, shardCount, plan.MicroShards))
        {
            DeviceBuffer sum = _free.Count > 0 ? _free.Pop() : _backend.Allocate(Layout.Total);
            _fold.Add(new DevicePartialGradient(node, sum.All));
            _foldBuffers.Add(sum);
        }

        hooks?.Partials?.Invoke(_fold);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            Layer layer = _layers[l];
            BufferSpan? gradInput = l > 0 ? RowsOf(_gradients[l - 1], rows, layer.InputSize) : (BufferSpan?)null;
            layer.Backward(context, LayerWeights(weights, l), LayerInput(l, 0, rows), RowsOf(_outputs[l], rows, layer.OutputSize), RowsOf(_gradients[l], rows, layer.OutputSize), gradInput, rows);
            if (layer.ParameterCount == 0)
            {
                continue;
            }

            foreach (DevicePartialGradient partial in _fold)
            {
                ParameterGradients(context, weights, l, partial, firstShard, leafRows);
            }

            hooks?.GradientReady?.Invoke(l, _parameterOffsets[l], layer.ParameterCount);
        }

        return new DeviceGradients([.. _fold], lossSum, correct, rows);
    }

    /// <inheritdoc />
    /// <summary>Layer <paramref name="l"/>'s parameter gradient over <paramref name="partial"/>'s micro-shards, folded in tree order into its slice of the partial sum.</summary>
    private void ParameterGradients(in LayerContext context, BufferSpan weights, int l, DevicePartialGradient partial, int firstShard, int leafRows)
    {
        Layer layer = _layers[l];
        TreeNode node = partial.Node;
        int firstRow = (node.FirstLeaf - firstShard) * leafRows;
        int nodeRows = node.LeafCount * leafRows;
        var nodeContext = context with { FirstRow = node.FirstLeaf * leafRows };
        BufferSpan input = LayerInput(l, firstRow, nodeRows);
        BufferSpan gradOutput = _gradients[l].Slice(firstRow * layer.OutputSize, nodeRows * layer.OutputSize);
        BufferSpan gradient = partial.Gradient.Slice(_parameterOffsets[l], layer.ParameterCount);
        ParameterRegularization regularization = _layerRegularization[l];
        if (regularization.IsEmpty)
        {
            layer.ParameterGradientTree(nodeContext, input, gradOutput, gradient, leafRows, node.LeafCount, _pairwiseFold);
        }
        else
        {
            // Kernel regularisers add rows·∇penalty to each micro-shard's sum, before the fold.
            BufferSpan layerWeights = LayerWeights(weights, l);
            layer.ParameterGradientsByLeaf(nodeContext, input, gradOutput, gradient, leafRows, node.LeafCount, _pairwiseFold, leaf => regularization.AddGradient(_backend, layerWeights, leaf, leafRows));
        }
    }

    public void Dispose()
    {
        ReleaseFold();
        while (_free.Count > 0)
        {
            _free.Pop().Dispose();
        }

        FreeRowBuffers();
        _pairwiseFold.Dispose();
        foreach (Layer layer in _layers)
        {
            layer.Dispose();
        }

        _weights.Dispose();
    }

    private void ReleaseFold()
    {
        foreach (DeviceBuffer buffer in _foldBuffers)
        {
            _free.Push(buffer);
        }

        _foldBuffers.Clear();
        _fold.Clear();
    }

    private void Forward(in LayerContext context, BufferSpan weights, int rows, Action<int, int, int>? beforeLayer = null)
    {
        for (int l = 0; l < _layers.Length; l++)
        {
            Layer layer = _layers[l];
            beforeLayer?.Invoke(l, _parameterOffsets[l], layer.ParameterCount);
            layer.Forward(context, LayerWeights(weights, l), LayerInput(l, 0, rows), RowsOf(_outputs[l], rows, layer.OutputSize), rows);
        }
    }

    /// <summary>The loss sum of the last layer's output against the targets; writes its gradient and (cross-entropy) the probabilities.</summary>
    private double LossAndGradient(int rows)
    {
        BufferSpan logits = RowsOf(_outputs[^1], rows, _outputSize);
        BufferSpan targets = RowsOf(_targets!, rows, _outputSize);
        BufferSpan grad = RowsOf(_gradients[^1], rows, _outputSize);
        return _loss switch
        {
            LossKind.SoftmaxCrossEntropy => _backend.SoftmaxCrossEntropy(logits, targets, RowsOf(_predictions!, rows, _outputSize), grad, rows, _outputSize),
            LossKind.MeanSquaredError => _backend.MeanSquaredError(logits, targets, grad, rows, _outputSize),
            LossKind.BinaryCrossEntropy => _backend.BinaryCrossEntropyWithLogits(logits, targets, grad, rows, _outputSize),
            _ => throw new InvalidOperationException($"Unknown loss {_loss}."),
        };
    }

    /// <summary>Correct predictions among the rows just evaluated (the host targets must still hold them).</summary>
    private long CountCorrect(int rows)
    {
        switch (_loss)
        {
            case LossKind.SoftmaxCrossEntropy:
                return _backend.CountCorrect(RowsOf(_predictions!, rows, _outputSize), RowsOf(_targets!, rows, _outputSize), rows, _outputSize);
            case LossKind.BinaryCrossEntropy:
                // Binary accuracy: logit > 0 ⇔ probability > 0.5, against target > 0.5.
                Span<float> logits = _hostOutputs.AsSpan(0, rows * _outputSize);
                _outputs[^1].Download(logits);
                long correct = 0;
                for (int r = 0; r < rows; r++)
                {
                    bool all = true;
                    for (int c = r * _outputSize; c < (r + 1) * _outputSize; c++)
                    {
                        all &= (logits[c] > 0) == (_hostTargets[c] > 0.5f);
                    }

                    correct += all ? 1 : 0;
                }

                return correct;
            default:
                return 0;
        }
    }

    private void CheckData(IDataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.InputSize != _inputSize || data.TargetSize != _outputSize)
        {
            throw new ArgumentException(
                $"The data set's samples ({data.InputSize} input floats, {data.TargetSize} target floats) do not fit the model ({_inputSize} inputs, {_outputSize} outputs).",
                nameof(data));
        }
    }

    private void ReadRows(IDataSet data, ReadOnlySpan<int> indices)
    {
        int rows = indices.Length;
        data.Read(indices, _hostInputs.AsSpan(0, rows * _inputSize), _hostTargets.AsSpan(0, rows * _outputSize));
        _input!.Upload(_hostInputs.AsSpan(0, rows * _inputSize));
        _targets!.Upload(_hostTargets.AsSpan(0, rows * _outputSize));
    }

    private BufferSpan LayerWeights(BufferSpan weights, int l) => weights.Slice(_parameterOffsets[l], _layers[l].ParameterCount);

    /// <summary>Rows [firstRow, firstRow + rows) of layer l's input (the model input or the previous layer's output).</summary>
    private BufferSpan LayerInput(int l, int firstRow, int rows)
    {
        int size = _layers[l].InputSize;
        DeviceBuffer buffer = l == 0 ? _input! : _outputs[l - 1];
        return buffer.Slice(firstRow * size, rows * size);
    }

    private static BufferSpan RowsOf(DeviceBuffer buffer, int rows, int size) => buffer.Slice(0, rows * size);

    private void EnsureCapacity(int rows)
    {
        if (rows <= _capacity)
        {
            return;
        }

        FreeRowBuffers();
        _input = _backend.Allocate(rows * _inputSize);
        _targets = _backend.Allocate(rows * _outputSize);
        _predictions = _backend.Allocate(rows * _outputSize);
        for (int l = 0; l < _layers.Length; l++)
        {
            _outputs[l] = _backend.Allocate(rows * _layers[l].OutputSize);
            _gradients[l] = _backend.Allocate(rows * _layers[l].OutputSize);
            _layers[l].Allocate(_backend, rows);
        }

        _hostInputs = new float[rows * _inputSize];
        _hostTargets = new float[rows * _outputSize];
        _hostOutputs = new float[rows * _outputSize];
        _capacity = rows;
    }

    private void FreeRowBuffers()
    {
        _input?.Dispose();
        _targets?.Dispose();
        _predictions?.Dispose();
        for (int l = 0; l < _layers.Length; l++)
        {
            _outputs[l]?.Dispose();
            _gradients[l]?.Dispose();
        }

        _capacity = 0;
    }
}
