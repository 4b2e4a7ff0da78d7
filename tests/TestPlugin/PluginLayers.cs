using DistTrain.Kernels.Tensors;
using DistTrain.Kernels.Tensors.Layers;
using static DistTrain.Kernels.Tensors.Tensor;

namespace DistTrain.TestPlugin;

/// <summary>
/// The course's MyDense: weights made in the constructor with AddWeight,
/// <c>activation(x @ w + b)</c>; <paramref name="activation"/> is "linear" or "relu".
/// </summary>
public sealed class MyDense : Layer
{
    private readonly Variable _kernel;
    private readonly Variable _bias;
    private readonly bool _relu;

    /// <summary>A layer from <paramref name="inputs"/> to <paramref name="outputs"/> features.</summary>
    public MyDense(int inputs, int outputs, string activation = "linear")
    {
        _kernel = AddWeight("w", [inputs, outputs]);
        _bias = AddWeight("b", [outputs], Initializers.Zeros());
        _relu = activation switch
        {
            "relu" => true,
            "linear" => false,
            _ => throw new ArgumentException($"MyDense: unknown activation '{activation}' (linear or relu)."),
        };
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor input, bool training = false)
    {
        var y = MatMul(input, _kernel) + _bias;
        return _relu ? Relu(y) : y;
    }
}

/// <summary>The course's MyModel: two MyDense layers held in fields, relu between them.</summary>
public sealed class MyModel(int inputs, int hidden, int classes) : Model
{
    private readonly MyDense _fc1 = new(inputs, hidden, "relu");
    private readonly MyDense _fc2 = new(hidden, classes);

    /// <inheritdoc />
    public override Tensor Call(Tensor input, bool training = false) => _fc2.Invoke(_fc1.Invoke(input, training), training);
}
