using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Onnx;

/// <summary>
/// Builds a linear ONNX graph node by node, following the current tensor and whether it is
/// NHWC (DistTrain's layout, and that of flat tensors) or NCHW (inside a run of image operators).
/// </summary>
internal sealed class GraphBuilder
{
    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly string _inputName;
    private readonly IReadOnlyList<int> _inputShape;
    private int _counter;
    private bool _nchw;

    public GraphBuilder(string inputName, IReadOnlyList<int> inputShape)
    {
        _inputName = inputName;
        _inputShape = inputShape;
        Current = inputName;
    }

    /// <summary>Name of the tensor the next node reads.</summary>
    public string Current { get; private set; }

    /// <summary>Adds a float initializer; returns its name.</summary>
    public string Initializer(string name, long[] dims, ReadOnlySpan<float> values)
    {
        _initializers.Add(OnnxProto.Tensor(name, dims, values));
        return name;
    }

    /// <summary>Appends <paramref name="opType"/> reading the current tensor and <paramref name="extraInputs"/>; its output becomes current.</summary>
    public void Step(string opType, string name, IReadOnlyList<string> extraInputs, params ProtoWriter[] attributes)
    {
        string output = $"{name}/{opType}_{_counter++}";
        Node(opType, name, [Current, .. extraInputs], [output], attributes);
        Current = output;
    }

    /// <summary>Appends a node as given (the current tensor stays).</summary>
    public void Node(string opType, string name, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params ProtoWriter[] attributes) =>
        _nodes.Add(OnnxProto.Node(opType, $"{name}/{opType}", inputs, outputs, attributes));

    /// <summary>Appends the activation node of <paramref name="kind"/>, if any (softmax over the last axis).</summary>
    public void Activation(ActivationKind kind, string name)
    {
        string? op = kind switch
        {
            ActivationKind.Linear => null,
            ActivationKind.Relu => "Relu",
            ActivationKind.Sigmoid => "Sigmoid",
            ActivationKind.Tanh => "Tanh",
            ActivationKind.Softmax => "Softmax",
            _ => throw new NotSupportedException($"ONNX export does not support activation {kind}."),
        };
        if (op is not null)
        {
            Step(op, name, []);
        }
    }

    /// <summary>Makes the current tensor NCHW (a Transpose from NHWC when it is not).</summary>
    public void ToNchw()
    {
        if (!_nchw)
        {
            Step("Transpose", "to_nchw", [], OnnxProto.Attribute("perm", 0, 3, 1, 2));
            _nchw = true;
        }
    }

    /// <summary>Makes the current tensor NHWC (a Transpose from NCHW when it is not).</summary>
    public void ToNhwc()
    {
        if (_nchw)
        {
            Step("Transpose", "to_nhwc", [], OnnxProto.Attribute("perm", 0, 2, 3, 1));
            _nchw = false;
        }
    }

    /// <summary>The GraphProto, with input <c>[batch, ...inputShape]</c> and output <paramref name="outputName"/> <c>[batch, ...outputShape]</c>.</summary>
    public ProtoWriter Build(string name, string outputName, IReadOnlyList<int> outputShape) =>
        OnnxProto.Graph(
            name,
            _nodes,
            _initializers,
            [OnnxProto.FloatTensorInfo(_inputName, [null, .. _inputShape.Select(d => (long?)d)], "batch")],
            [OnnxProto.FloatTensorInfo(outputName, [null, .. outputShape.Select(d => (long?)d)], "batch")]);
}
