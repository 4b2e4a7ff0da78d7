namespace DistTrain.Kernels.Tensors.Layers;

/// <summary>
/// A layer made of layers (Keras' <c>keras.Model</c> subclassing API): hold sub-layers in
/// fields, write the forward pass in <see cref="Layer.Call"/>. <see cref="Sequential"/> is the
/// ready-made chain.
/// </summary>
public abstract class Model : Layer
{
    /// <summary>Creates the model.</summary>
    protected Model(string? name = null)
        : base(name)
    {
    }

    /// <summary>Keras-like summary: one line per weight with its shape, and the parameter count.</summary>
    public string Summary()
    {
        var lines = Variables.Select(v => $"{v.Name,-32} {v.Shape,-16} {v.Size,10:N0}").ToList();
        lines.Add($"Total params: {Variables.Sum(v => v.Size):N0}");
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Layers applied one after another.</summary>
public sealed class Sequential(params Layer[] layers) : Model
{
    private readonly Layer[] _layers = layers;

    /// <inheritdoc />
    public override Tensor Call(Tensor input, bool training = false)
    {
        var x = input;
        foreach (var layer in _layers)
        {
            x = layer.Invoke(x, training);
        }

        return x;
    }
}

/// <summary>Activations as functions, for <see cref="Dense"/>.</summary>
public static class Activation
{
    /// <summary>Identity.</summary>
    public static readonly Func<Tensor, Tensor> Linear = x => x;

    /// <summary><see cref="Tensor.Relu"/>.</summary>
    public static readonly Func<Tensor, Tensor> Relu = Tensor.Relu;

    /// <summary><see cref="Tensor.Sigmoid"/>.</summary>
    public static readonly Func<Tensor, Tensor> Sigmoid = Tensor.Sigmoid;

    /// <summary><see cref="Tensor.Tanh"/>.</summary>
    public static readonly Func<Tensor, Tensor> Tanh = Tensor.Tanh;

    /// <summary><see cref="Tensor.Softmax"/> over the last axis.</summary>
    public static readonly Func<Tensor, Tensor> Softmax = x => Tensor.Softmax(x);
}

/// <summary>
/// The built-in fully connected layer on tensors: <c>activation(x @ kernel + bias)</c>, kernel
/// (in, units) Glorot uniform, bias zeros; the input size is taken from the first call.
/// </summary>
public sealed class Dense(int units, Func<Tensor, Tensor>? activation = null, bool useBias = true, string? name = null) : Layer(name)
{
    private readonly Func<Tensor, Tensor> _activation = activation ?? Activation.Linear;

    /// <summary>Output features.</summary>
    public int Units { get; } = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), units, "Dense needs at least one unit.");

    /// <summary>The (in, units) weight, after the first call.</summary>
    public Variable? Kernel { get; private set; }

    /// <summary>The (units) bias, after the first call (null without bias).</summary>
    public Variable? Bias { get; private set; }

    /// <inheritdoc />
    public override Tensor Call(Tensor input, bool training = false)
    {
        var y = Tensor.MatMul(input, Kernel!);
        return _activation(Bias is null ? y : y + Bias);
    }

    /// <inheritdoc />
    protected override void Build(TensorShape inputShape)
    {
        if (inputShape.Rank < 2)
        {
            throw new ArgumentException($"Dense '{Name}' needs inputs of rank ≥ 2 (batch, features), not {inputShape}.");
        }

        Kernel = AddWeight("kernel", [inputShape[-1], Units]);
        Bias = useBias ? AddWeight("bias", [Units], Initializers.Zeros()) : null;
    }
}
