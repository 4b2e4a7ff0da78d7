using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Randomness;
using DistTrain.Kernels.Tensors;
using TapeLayer = DistTrain.Kernels.Tensors.Layers.Layer;

namespace DistTrain.Kernels.Models;

/// <summary>
/// The trainer's layer around a user's tape layer (<see cref="CustomLayerSpec"/>): its trainable
/// variables, in <see cref="TapeLayer.Variables"/> order and named by their field paths
/// (<c>kernel</c>, <c>fc1/w</c>), are the layer's parameter tensors in the flat vector, so the
/// parameter server, clipping, the optimiser and checkpoints treat them as any layer's.
/// <list type="bullet">
/// <item><b>Forward</b>: the slice's weights are assigned to the variables, the rows become one
/// host tensor <c>(rows, …inputShape)</c>, and the user's <c>Call</c> computes the output.</item>
/// <item><b>Backward</b> (input gradient): <c>Call</c> again under a <see cref="GradientTape"/>
/// watching the input only, and the tape's vector-Jacobian product with the output gradient.</item>
/// <item><b>Parameter gradients</b>, once per micro-shard (the default
/// <see cref="Layer.ParameterGradientTree"/>, which folds them in the fixed tree order):
/// <c>Call</c> on that micro-shard's rows alone under a tape watching the variables. A
/// micro-shard's sum over its samples is therefore computed from its own rows only, in the
/// same way whichever worker computes it, and the fold adds the micro-shards pairwise, so the
/// bits do not depend on the worker count.</item>
/// </list>
/// Per-sample work runs once over all the worker's rows, so the layer must treat samples
/// independently (no batch statistics, no random numbers in <c>Call</c>). Tensors live on the
/// host: a device engine's buffers are copied in and out. The forward is recomputed for each
/// backward pass (about three forwards and one backward per step, against one and one for a
/// built-in layer).
/// </summary>
public sealed class CustomLayer : Layer
{
    private readonly Func<TapeLayer> _factory;
    private readonly TapeLayer _layer;
    private readonly Variable[] _variables;
    private readonly LayerParameter[] _parameters;
    private float[] _host = [];

    /// <summary>Builds the user's layer (from <paramref name="factory"/>) for samples of <paramref name="inputShape"/>.</summary>
    internal CustomLayer(string name, IReadOnlyList<int> inputShape, Func<TapeLayer> factory)
        : this(name, inputShape, factory, Instantiate(name, factory, inputShape, new SplitMix64(0)))
    {
    }

    private CustomLayer(string name, IReadOnlyList<int> inputShape, Func<TapeLayer> factory, (TapeLayer Layer, IReadOnlyList<int> OutputShape) built)
        : base(name, inputShape, built.OutputShape)
    {
        _factory = factory;
        _layer = built.Layer;
        var named = Weights(name, _layer);
        _variables = [.. named.Select(v => v.Variable)];
        _parameters = [.. named.Select(v => new LayerParameter(v.Path, v.Variable.Shape.ToArray(), InitializerKind.Zeros))];
    }

    /// <summary>The user's layer this one runs (its variables hold the weights of the last call).</summary>
    public TapeLayer UserLayer => _layer;

    /// <inheritdoc />
    public override IReadOnlyList<LayerParameter> Parameters => _parameters;

    /// <summary>
    /// The user's own initial values: a fresh instance is built with the per-thread generator of
    /// <see cref="Tensor.Random"/> set to stream <paramref name="firstStream"/> of
    /// <paramref name="seed"/> (and put back afterwards), so unseeded initialisers give the same
    /// weights for the same run seed in every process.
    /// </summary>
    public override bool TryInitializeParameters(Span<float> parameters, ulong seed, ulong firstStream)
    {
        var (fresh, _) = Instantiate(Name, _factory, InputShape, SplitMix64.ForStream(seed, firstStream));
        var variables = Weights(Name, fresh);
        int offset = 0;
        for (int i = 0; i < variables.Count; i++)
        {
            ReadOnlySpan<float> values = variables[i].Variable.AsSpan<float>();
            if (values.Length != _parameters[i].Length)
            {
                throw new InvalidOperationException($"Layer {Name}: a new instance's weight '{variables[i].Path}' has {values.Length} floats, the first had {_parameters[i].Length}.");
            }

            values.CopyTo(parameters.Slice(offset, values.Length));
            offset += values.Length;
        }

        return true;
    }

    /// <summary>output = Call(input) for <paramref name="rows"/> rows.</summary>
    public override void Forward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, int rows)
    {
        LoadWeights(parameters);
        Tensor y = Call(Rows(input, rows, InputShape), context.Training, rows);
        output.Slice(0, rows * OutputSize).Upload(y.AsSpan<float>());
    }

    /// <summary>gradInput = (∂Call/∂input)ᵀ·gradOutput through the tape; loads the weights for <see cref="ParameterGradients"/>.</summary>
    public override void Backward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, BufferSpan gradOutput, BufferSpan? gradInput, int rows)
    {
        LoadWeights(parameters); // ParameterGradients, which follows, gets no weights of its own
        if (gradInput is not { } target)
        {
            return;
        }

        Tensor x = Rows(input, rows, InputShape);
        Tensor g = Rows(gradOutput, rows, OutputShape);
        Tensor? dx;
        using (var tape = new GradientTape(watchAccessedVariables: false))
        {
            tape.Watch(x);
            Tensor y = Call(x, context.Training, rows);
            dx = tape.Gradient(y, [x], g)[0];
        }

        BufferSpan destination = target.Slice(0, rows * InputSize);
        if (dx is null)
        {
            context.Backend.Fill(destination, 0f);
        }
        else
        {
            destination.Upload(dx.AsSpan<float>());
        }
    }

    /// <summary>The sums over <paramref name="rows"/> samples (one micro-shard) of ∂loss/∂variable, from <c>Call</c> on those rows alone.</summary>
    public override void ParameterGradients(in LayerContext context, BufferSpan input, BufferSpan gradOutput, BufferSpan gradient, int rows)
    {
        Tensor x = Rows(input, rows, InputShape);
        Tensor g = Rows(gradOutput, rows, OutputShape);
        Tensor?[] grads;
        using (var tape = new GradientTape(watchAccessedVariables: false))
        {
            foreach (Variable v in _variables)
            {
                tape.Watch(v);
            }

            Tensor y = Call(x, context.Training, rows);
            grads = tape.Gradient(y, _variables, g);
        }

        Span<float> host = Host(ParameterCount);
        int offset = 0;
        for (int i = 0; i < _variables.Length; i++)
        {
            int length = _parameters[i].Length;
            if (grads[i] is { } d)
            {
                d.AsSpan<float>().CopyTo(host.Slice(offset, length));
            }
            else
            {
                host.Slice(offset, length).Clear(); // the output does not depend on this weight
            }

            offset += length;
        }

        gradient.Upload(host);
    }

    /// <summary>
    /// A new instance built for a batch of one sample of <paramref name="inputShape"/> (so that
    /// weights made in <c>Build</c> exist), with the per-thread generator set to
    /// <paramref name="generator"/> meanwhile; and the shape of one output sample.
    /// </summary>
    internal static (TapeLayer Layer, IReadOnlyList<int> OutputShape) Instantiate(string name, Func<TapeLayer> factory, IReadOnlyList<int> inputShape, SplitMix64 generator)
    {
        SplitMix64? saved = Tensor.Random.ExchangeGenerator(generator);
        try
        {
            TapeLayer layer = factory();
            Tensor probe = Tensor.Zeros([1, .. inputShape]);
            Tensor y;
            try
            {
                y = layer.Invoke(probe, training: false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new ArgumentException($"Layer {name}: {layer.GetType().FullName} failed on a sample of shape [{string.Join(", ", inputShape)}]: {e.Message}", e);
            }

            if (y.DType != DType.Float32 || y.Rank < 2 || y.Shape[0] != 1)
            {
                throw new ArgumentException($"Layer {name}: {layer.GetType().FullName} must return float32 (batch, …) for a float32 input of shape (1, {string.Join(", ", inputShape)}), got {y.DType.Name()} {y.Shape}.");
            }

            return (layer, [.. y.Shape.Skip(1)]);
        }
        finally
        {
            Tensor.Random.ExchangeGenerator(saved);
        }
    }

    private static IReadOnlyList<(string Path, Variable Variable)> Weights(string name, TapeLayer layer)
    {
        var named = layer.NamedVariables();
        foreach (var (path, v) in named)
        {
            if (!v.Trainable || v.DType != DType.Float32)
            {
                throw new ArgumentException($"Layer {name}: weight '{path}' of {layer.GetType().FullName} is {(v.Trainable ? string.Empty : "non-trainable ")}{v.DType.Name()}; a custom layer's weights must be trainable float32 variables.");
            }
        }

        if (named.Select(v => v.Path).Distinct(StringComparer.Ordinal).Count() != named.Count)
        {
            throw new ArgumentException($"Layer {name}: {layer.GetType().FullName} has two weights with the same path ({string.Join(", ", named.Select(v => v.Path))}); give AddWeight distinct names.");
        }

        return named;
    }

    private Tensor Call(Tensor x, bool training, int rows)
    {
        Tensor y = _layer.Invoke(x, training);
        if (y.DType != DType.Float32 || y.Size != rows * OutputSize || y.Rank < 1 || y.Shape[0] != rows)
        {
            throw new InvalidOperationException($"Layer {Name}: {_layer.GetType().FullName} returned {y.DType.Name()} {y.Shape} for {rows} samples; expected float32 ({rows}, {string.Join(", ", OutputShape)}).");
        }

        return y;
    }

    private void LoadWeights(BufferSpan parameters)
    {
        Span<float> host = Host(ParameterCount);
        parameters.Buffer.Download(host, parameters.Offset);
        int offset = 0;
        for (int i = 0; i < _variables.Length; i++)
        {
            int length = _parameters[i].Length;
            _variables[i].Assign(Tensor.From<float>(host.Slice(offset, length), _variables[i].Shape));
            offset += length;
        }
    }

    private static Tensor Rows(BufferSpan span, int rows, IReadOnlyList<int> sampleShape)
    {
        int size = sampleShape.Aggregate(1, (a, d) => a * d);
        var values = new float[rows * size];
        span.Buffer.Download(values, span.Offset);
        return Tensor.From<float>(values, [rows, .. sampleShape]);
    }

    private Span<float> Host(int length)
    {
        if (_host.Length < length)
        {
            _host = new float[length];
        }

        return _host.AsSpan(0, length);
    }
}
