namespace DistTrain.Kernels.Tensors;

/// <summary>
/// Records the operations on watched tensors so that <see cref="Gradient(Tensor, Tensor)"/> can
/// run them backwards (reverse-mode differentiation), like <c>tf.GradientTape</c>. A tape records
/// from construction until <see cref="Dispose"/>; trainable <see cref="Variable"/>s are watched
/// when first used, other tensors through <see cref="Watch(Tensor)"/>. Tapes nest: the backward
/// pass of an inner tape is itself made of recorded operations, so an outer tape differentiates
/// it again (second derivatives). Tapes belong to the thread that made them.
/// </summary>
public sealed class GradientTape : IDisposable
{
    [ThreadStatic]
    private static List<GradientTape>? s_active;

    private readonly HashSet<Tensor> _tracked = new(ReferenceEqualityComparer.Instance);
    private List<Node>? _nodes = [];
    private bool _recording = true;
    private bool _used;

    /// <summary>Starts recording on the current thread.</summary>
    /// <param name="persistent">Allow more than one <see cref="Gradient(Tensor, Tensor)"/> call.</param>
    /// <param name="watchAccessedVariables">Watch trainable variables automatically when an operation reads them.</param>
    public GradientTape(bool persistent = false, bool watchAccessedVariables = true)
    {
        Persistent = persistent;
        WatchAccessedVariables = watchAccessedVariables;
        (s_active ??= []).Add(this);
    }

    /// <summary>Whether more than one gradient call is allowed.</summary>
    public bool Persistent { get; }

    /// <summary>Whether trainable variables are watched when used.</summary>
    public bool WatchAccessedVariables { get; }

    /// <summary>The tensors and variables this tape watches or has derived from watched ones.</summary>
    public int TrackedCount => _tracked.Count;

    /// <summary>True when some tape on this thread is recording (ops skip all tape work otherwise).</summary>
    internal static bool AnyRecording => s_active is { Count: > 0 };

    /// <summary>Watches <paramref name="tensor"/>: gradients with respect to it become available.</summary>
    public void Watch(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!tensor.DType.IsFloating())
        {
            throw new ArgumentException($"Only float32 and float64 tensors can be watched; this one is {tensor.DType.Name()}.", nameof(tensor));
        }

        _tracked.Add(tensor);
    }

    /// <summary>Watches several tensors.</summary>
    public void Watch(params Tensor[] tensors)
    {
        foreach (var t in tensors)
        {
            Watch(t);
        }
    }

    /// <summary>d<paramref name="target"/>/d<paramref name="source"/>, or null when the target does not depend on the source.</summary>
    public Tensor? Gradient(Tensor target, Tensor source) => Gradient(target, [source])[0];

    /// <summary>
    /// The gradients of the sum of <paramref name="target"/> with respect to each source (TF's
    /// implicit all-ones output gradient), each of its source's shape; null for an unconnected or
    /// non-float source.
    /// </summary>
    public Tensor?[] Gradient(Tensor target, IReadOnlyList<Tensor> sources) => Gradient(target, sources, null);

    /// <summary>
    /// The vector-Jacobian products <c>Σ outputGradient ⊙ ∂target/∂source</c> for each source
    /// (TF's <c>output_gradients</c>): the backward pass starts from <paramref name="outputGradient"/>
    /// (the target's shape and dtype) instead of ones; null starts from ones, as
    /// <see cref="Gradient(Tensor, IReadOnlyList{Tensor})"/>.
    /// </summary>
    public Tensor?[] Gradient(Tensor target, IReadOnlyList<Tensor> sources, Tensor? outputGradient)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(sources);
        if (outputGradient is not null && (outputGradient.Shape != target.Shape || outputGradient.DType != target.DType))
        {
            throw new ArgumentException($"Gradient: the output gradient is {outputGradient.DType.Name()} {outputGradient.Shape}; the target is {target.DType.Name()} {target.Shape}.", nameof(outputGradient));
        }

        if (_used && !Persistent)
        {
            throw new InvalidOperationException("This GradientTape is not persistent: it can compute gradients only once and its records are released. Create it with new GradientTape(persistent: true) to call Gradient more than once.");
        }

        _used = true;
        var nodes = _nodes ?? throw new InvalidOperationException("This GradientTape's records were released.");
        bool wasRecording = _recording;
        _recording = false;
        try
        {
            var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
            if (_tracked.Contains(target) && target.DType.IsFloating())
            {
                grads[target] = outputGradient ?? Tensor.OnesLike(target);
            }

            for (int n = nodes.Count - 1; n >= 0; n--)
            {
                var node = nodes[n];
                if (!grads.Remove(node.Output, out var gradOutput))
                {
                    continue;
                }

                // Keep the output's gradient if the caller asked for the output itself.
                foreach (var s in sources)
                {
                    if (ReferenceEquals(s, node.Output))
                    {
                        grads[node.Output] = gradOutput;
                    }
                }

                var needed = new bool[node.Inputs.Length];
                for (int i = 0; i < needed.Length; i++)
                {
                    needed[i] = node.Inputs[i].DType.IsFloating() && _tracked.Contains(node.Inputs[i]);
                }

                var inputGrads = node.Backward(gradOutput, needed);
                for (int i = 0; i < node.Inputs.Length; i++)
                {
                    if (!needed[i] || inputGrads[i] is not { } g)
                    {
                        continue;
                    }

                    var input = node.Inputs[i];
                    if (g.Shape != input.Shape)
                    {
                        throw new InvalidOperationException($"Internal error: the gradient of an input of shape {input.Shape} came back with shape {g.Shape}.");
                    }

                    grads[input] = grads.TryGetValue(input, out var sum) ? sum + g : g;
                }
            }

            var result = new Tensor?[sources.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = sources[i].DType.IsFloating() && grads.TryGetValue(sources[i], out var g) ? g : null;
            }

            return result;
        }
        finally
        {
            _recording = wasRecording;
            if (!Persistent)
            {
                _nodes = null;
            }
        }
    }

    /// <summary>Stops recording. Gradients can still be asked for afterwards.</summary>
    public void Dispose()
    {
        _recording = false;
        s_active?.Remove(this);
    }

    /// <summary>
    /// Called by every differentiable operation after computing <paramref name="output"/>:
    /// each recording tape that tracks one of the inputs records the node and tracks the output.
    /// </summary>
    internal static void Record(Tensor output, Tensor[] inputs, Backward backward)
    {
        if (s_active is not { Count: > 0 } active || !output.DType.IsFloating())
        {
            return;
        }

        foreach (var tape in active)
        {
            if (!tape._recording || tape._nodes is null)
            {
                continue;
            }

            bool any = false;
            foreach (var input in inputs)
            {
                any |= tape.Tracks(input);
            }

            if (any)
            {
                tape._nodes.Add(new Node(output, inputs, backward));
                tape._tracked.Add(output);
            }
        }
    }

    private bool Tracks(Tensor input)
    {
        if (_tracked.Contains(input))
        {
            return true;
        }

        if (WatchAccessedVariables && input is Variable { Trainable: true } && input.DType.IsFloating())
        {
            _tracked.Add(input);
            return true;
        }

        return false;
    }

    /// <summary>Input gradients from the output gradient; an entry may be null where <c>needed</c> is false.</summary>
    internal delegate Tensor?[] Backward(Tensor gradOutput, bool[] needed);

    private sealed record Node(Tensor Output, Tensor[] Inputs, Backward Backward);
}
