using System.Reflection;

namespace DistTrain.Kernels.Tensors.Layers;

/// <summary>
/// The base of a user's layer (Keras' <c>layers.Layer</c>): weights made with
/// <see cref="AddWeight"/> (in the constructor or in <see cref="Build"/>), the forward pass in
/// <see cref="Call"/>. Layers held in fields of a layer are its sub-layers, found by reflection
/// the way Keras tracks attributes, so <see cref="TrainableVariables"/> covers a whole model.
/// Call a layer through <see cref="Invoke"/>, which builds it on first use.
/// </summary>
public abstract class Layer
{
    private static readonly Dictionary<string, int> s_names = [];
    private readonly List<Variable> _weights = [];
    private readonly List<string> _weightNames = [];

    /// <summary>Creates the layer; the name defaults to the type name, then <c>Type_1</c>, <c>Type_2</c>, … as in Keras.</summary>
    protected Layer(string? name = null)
    {
        string type = GetType().Name;
        int index;
        lock (s_names)
        {
            index = s_names.TryGetValue(type, out int n) ? n : 0;
            s_names[type] = index + 1;
        }

        Name = name ?? (index == 0 ? type : $"{type}_{index}");
    }

    /// <summary>The layer's name.</summary>
    public string Name { get; }

    /// <summary>True once <see cref="Build"/> has run.</summary>
    public bool Built { get; private set; }

    /// <summary>This layer's own weights, in creation order.</summary>
    public IReadOnlyList<Variable> OwnWeights => _weights;

    /// <summary>All variables of this layer and its sub-layers (fields), depth first.</summary>
    public IReadOnlyList<Variable> Variables => Collect(trainableOnly: false);

    /// <summary>The trainable variables of this layer and its sub-layers.</summary>
    public IReadOnlyList<Variable> TrainableVariables => Collect(trainableOnly: true);

    /// <summary>The sub-layers: fields of type <see cref="Layer"/> or collections of layers, in declaration order.</summary>
    public IReadOnlyList<Layer> Layers
    {
        get
        {
            var result = new List<Layer>();
            for (var type = GetType(); type is not null && type != typeof(Layer); type = type.BaseType)
            {
                foreach (var member in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    switch (member.GetValue(this))
                    {
                        case Layer layer when !ReferenceEquals(layer, this):
                            result.Add(layer);
                            break;
                        case IEnumerable<Layer> layers:
                            result.AddRange(layers);
                            break;
                    }
                }
            }

            return result;
        }
    }

    /// <summary>Builds the layer for <paramref name="input"/>'s shape if needed, then runs <see cref="Call"/>.</summary>
    public Tensor Invoke(Tensor input, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!Built)
        {
            Build(input.Shape);
            Built = true;
        }

        return Call(input, training);
    }

    /// <summary>The forward pass (<c>call</c>): use <see cref="Invoke"/> to call sub-layers.</summary>
    public abstract Tensor Call(Tensor input, bool training = false);

    /// <summary>Creates the weights that depend on the input shape (Keras' <c>build</c>); the default does nothing.</summary>
    protected virtual void Build(TensorShape inputShape)
    {
    }

    /// <summary>Adds a float32 weight (<c>add_weight</c>), initialised by <paramref name="initializer"/> (default Glorot uniform).</summary>
    protected Variable AddWeight(string name, TensorShape shape, Initializer? initializer = null, bool trainable = true)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        var value = (initializer ?? Initializers.GlorotUniform())(shape);
        if (value.Shape != shape)
        {
            throw new InvalidOperationException($"The initializer of weight '{name}' made shape {value.Shape}, not {shape}.");
        }

        var weight = new Variable(value, trainable, $"{Name}/{name}");
        _weights.Add(weight);
        _weightNames.Add(name);
        return weight;
    }

    /// <summary>
    /// Every variable of this layer and its sub-layers, in <see cref="Variables"/> order, with a
    /// path that does not depend on how many layers the process made before: the sub-layer's
    /// field name (an element of a collection field adds its index), then the weight's
    /// <see cref="AddWeight"/> name, for example <c>fc1/kernel</c> or <c>blocks/0/w</c>.
    /// </summary>
    internal IReadOnlyList<(string Path, Variable Variable)> NamedVariables()
    {
        var result = new List<(string, Variable)>();
        var seen = new HashSet<Variable>(ReferenceEqualityComparer.Instance);
        VisitNamed(this, string.Empty, result, seen, new HashSet<Layer>(ReferenceEqualityComparer.Instance));
        return result;
    }

    private static void VisitNamed(Layer layer, string prefix, List<(string, Variable)> result, HashSet<Variable> seen, HashSet<Layer> visited)
    {
        if (!visited.Add(layer))
        {
            return;
        }

        for (int i = 0; i < layer._weights.Count; i++)
        {
            if (seen.Add(layer._weights[i]))
            {
                result.Add((prefix + layer._weightNames[i], layer._weights[i]));
            }
        }

        for (var type = layer.GetType(); type is not null && type != typeof(Layer); type = type.BaseType)
        {
            foreach (var member in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                string field = FieldName(member.Name);
                switch (member.GetValue(layer))
                {
                    case Layer sub when !ReferenceEquals(sub, layer):
                        VisitNamed(sub, $"{prefix}{field}/", result, seen, visited);
                        break;
                    case IEnumerable<Layer> subs:
                        int index = 0;
                        foreach (var sub in subs)
                        {
                            VisitNamed(sub, $"{prefix}{field}/{index++}/", result, seen, visited);
                        }

                        break;
                }
            }
        }
    }

    /// <summary>The source name of a field: <c>_fc1</c> → <c>fc1</c>, a property's <c>&lt;Fc1&gt;k__BackingField</c> → <c>Fc1</c>, a captured parameter's <c>&lt;fc1&gt;P</c> → <c>fc1</c>.</summary>
    private static string FieldName(string name)
    {
        if (name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end)
        {
            name = name[1..end];
        }

        return name.TrimStart('_') is { Length: > 0 } trimmed ? trimmed : name;
    }

    private List<Variable> Collect(bool trainableOnly)
    {
        var result = new List<Variable>();
        var seen = new HashSet<Variable>(ReferenceEqualityComparer.Instance);
        Visit(this, result, seen, trainableOnly, new HashSet<Layer>(ReferenceEqualityComparer.Instance));
        return result;
    }

    private static void Visit(Layer layer, List<Variable> result, HashSet<Variable> seen, bool trainableOnly, HashSet<Layer> visited)
    {
        if (!visited.Add(layer))
        {
            return;
        }

        foreach (var w in layer._weights)
        {
            if ((!trainableOnly || w.Trainable) && seen.Add(w))
            {
                result.Add(w);
            }
        }

        foreach (var sub in layer.Layers)
        {
            Visit(sub, result, seen, trainableOnly, visited);
        }
    }
}

/// <summary>A weight initializer: a new tensor of the given shape.</summary>
public delegate Tensor Initializer(TensorShape shape);

/// <summary>Keras' initializers. Unseeded ones draw from the per-thread generator of <see cref="Tensor.Random"/>.</summary>
public static class Initializers
{
    /// <summary>Zeros.</summary>
    public static Initializer Zeros() => shape => Tensor.Zeros(shape);

    /// <summary>Ones.</summary>
    public static Initializer Ones() => shape => Tensor.Ones(shape);

    /// <summary>N(mean, stddev²).</summary>
    public static Initializer RandomNormal(double mean = 0, double stddev = 0.05, ulong? seed = null) =>
        shape => Tensor.Random.Normal(shape, mean, stddev, seed: seed);

    /// <summary>U(−√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out))), Keras' default.</summary>
    public static Initializer GlorotUniform(ulong? seed = null) => shape =>
    {
        var (fanIn, fanOut) = Fans(shape);
        double limit = Math.Sqrt(6.0 / Math.Max(1, fanIn + fanOut));
        return Tensor.Random.Uniform(shape, -limit, limit, seed: seed);
    };

    /// <summary>Truncated N(0, 2/fan_in) (He normal, for ReLU layers).</summary>
    public static Initializer HeNormal(ulong? seed = null) => shape =>
        Tensor.Random.TruncatedNormal(shape, 0, Math.Sqrt(2.0 / Math.Max(1, Fans(shape).FanIn)) / 0.87962566103423978, seed: seed);

    private static (int FanIn, int FanOut) Fans(TensorShape shape)
    {
        if (shape.Rank == 0)
        {
            return (1, 1);
        }

        if (shape.Rank == 1)
        {
            return (shape[0], shape[0]);
        }

        int receptive = 1;
        for (int i = 0; i < shape.Rank - 2; i++)
        {
            receptive *= shape[i];
        }

        return (shape[-2] * receptive, shape[-1] * receptive);
    }
}
