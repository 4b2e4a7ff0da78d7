namespace DistTrain.Kernels.Tensors;

/// <summary>
/// A mutable tensor (<c>tf.Variable</c>): operations read its current value; <see cref="Assign"/>,
/// <see cref="AssignAdd"/> and <see cref="AssignSub"/> replace it (same shape and dtype). Tensors
/// read from it earlier keep their values. Trainable variables are watched by every
/// <see cref="GradientTape"/> that sees them used.
/// </summary>
public sealed class Variable : Tensor
{
    private static int s_count;

    /// <summary>A variable holding a copy of <paramref name="initialValue"/>.</summary>
    public Variable(Tensor initialValue, bool trainable = true, string? name = null)
        : base(CopyOf(initialValue), initialValue.Shape, initialValue.DType, initialValue.Device)
    {
        Trainable = trainable;
        int id = Interlocked.Increment(ref s_count);
        Name = name ?? (id == 1 ? "Variable" : $"Variable_{id - 1}");
    }

    /// <summary>Whether tapes watch the variable automatically and optimisers update it.</summary>
    public bool Trainable { get; }

    /// <summary>The name (<c>Variable</c>, <c>Variable_1</c>, … unless given).</summary>
    public string Name { get; }

    /// <summary>The current value as an immutable tensor.</summary>
    public Tensor Value() => new(CopyOf(this), Shape, DType, Device);

    /// <summary>Replaces the value; shape and dtype must match (a weak .NET scalar is broadcast).</summary>
    public Variable Assign(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.IsWeakScalar || (value.Size == 1 && Size != 1 && value.DType == DType))
        {
            value = BroadcastTo(CastNoTape(value, DType), Shape);
        }

        if (value.Shape != Shape || value.DType != DType)
        {
            throw new ArgumentException($"Assign: variable '{Name}' is {DType.Name()} {Shape}; the value is {value.DType.Name()} {value.Shape}.", nameof(value));
        }

        SetData(CopyOf(value));
        return this;
    }

    /// <summary><c>this += delta</c>.</summary>
    public Variable AssignAdd(Tensor delta) => Assign(StopGradient(this) + StopGradient(delta));

    /// <summary><c>this −= delta</c> (the plain gradient step: <c>w.AssignSub(lr * grad)</c>).</summary>
    public Variable AssignSub(Tensor delta) => Assign(StopGradient(this) - StopGradient(delta));

    /// <summary>TensorFlow's variable printout.</summary>
    public override string ToString() => $"<tf.Variable '{Name}:0' shape={Shape} dtype={DType.Name()}, numpy={Format()}>";

    private static Array CopyOf(Tensor t) => (Array)t.Data.Clone();
}
