using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using DistTrain.Kernels.Randomness;
using DistTrain.Kernels.Tensors;
using TapeLayer = DistTrain.Kernels.Tensors.Layers.Layer;

namespace DistTrain.Kernels.Models;

/// <summary>
/// A user's layer written in C# on the tape API (a subclass of
/// <see cref="Tensors.Layers.Layer"/>, or a <see cref="Tensors.Layers.Model"/> of such layers),
/// named by type and built with constructor arguments, so that it trains in the trainer's
/// flat-parameter machinery (locally with <see cref="Training.LocalTrainer"/>, and on the
/// cluster) like a built-in layer. JSON:
/// <code>{ "type": "custom", "layerType": "MyLayers.MyDense, MyLayers", "arguments": { "units": 64, "activation": "relu" } }</code>
/// </summary>
/// <remarks>
/// <para>The arguments bind by name to a public constructor of the type (case-insensitive; a
/// constructor parameter without an argument must be optional), each read from JSON into the
/// parameter's type with the spec's JSON settings (enums as camelCase strings). A delegate
/// (such as an activation function) cannot travel in a spec: take a name and map it in the layer.</para>
/// <para>The layer must compute each sample independently of the others in its batch (no
/// batch statistics, no cross-sample ops) and draw no random numbers in <c>Call</c>; its
/// weights must be trainable float32 variables. See <see cref="CustomLayer"/> for how it is run.</para>
/// </remarks>
public sealed record CustomLayerSpec : LayerSpec
{
    private (string Name, LayerTypeResolver Resolver, Type Type)? _resolved;

    /// <summary>A spec naming <paramref name="layerType"/> (<c>Namespace.Type, Assembly</c>, or a full name) with constructor <paramref name="arguments"/>.</summary>
    [JsonConstructor]
    public CustomLayerSpec(string layerType, IReadOnlyDictionary<string, JsonElement>? arguments = null)
    {
        LayerType = layerType;
        Arguments = arguments;
    }

    /// <summary>The layer type: <c>Namespace.Type, Assembly</c> (what <see cref="For(Type, object?)"/> writes) or a full name.</summary>
    public string LayerType { get; init; }

    /// <summary>Constructor arguments by parameter name; null or empty for the parameterless (or all-optional) constructor.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, JsonElement>? Arguments { get; init; }

    /// <summary>
    /// Where <see cref="LayerType"/> is looked up: <see cref="LayerTypeResolver.Default"/> (this
    /// process) unless the spec was read by <see cref="ModelSpec.FromJson(string, LayerTypeResolver?)"/>
    /// with another one (a silo passes its plugin folder's). Not part of the JSON or of equality.
    /// </summary>
    [JsonIgnore]
    public LayerTypeResolver Resolver { get; init; } = LayerTypeResolver.Default;

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "custom";

    /// <summary>
    /// A spec for <paramref name="type"/> with constructor <paramref name="arguments"/>: an
    /// anonymous object (<c>new { units = 64 }</c>) or a dictionary, serialised to JSON here.
    /// </summary>
    public static CustomLayerSpec For(Type type, object? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        var spec = new CustomLayerSpec($"{type.FullName}, {type.Assembly.GetName().Name}", ArgumentsOf(arguments));
        spec._resolved = (spec.LayerType, spec.Resolver, type);
        return spec;
    }

    /// <summary>
    /// A spec naming <paramref name="layerType"/> (<c>Namespace.Type, Assembly</c>) without
    /// loading it here (a program that only sends the spec to silos holding the plugin).
    /// </summary>
    public static CustomLayerSpec For(string layerType, object? arguments = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(layerType);
        return new CustomLayerSpec(layerType, ArgumentsOf(arguments));
    }

    /// <summary>A spec for <typeparamref name="TLayer"/>; see <see cref="For(Type, object?)"/>.</summary>
    public static CustomLayerSpec For<TLayer>(object? arguments = null)
        where TLayer : TapeLayer => For(typeof(TLayer), arguments);

    /// <summary>The resolved layer type (cached); throws an <see cref="ArgumentException"/> naming where it was looked for.</summary>
    public Type ResolveType()
    {
        if (_resolved is { } r && r.Name == LayerType && ReferenceEquals(r.Resolver, Resolver))
        {
            return r.Type;
        }

        if (string.IsNullOrWhiteSpace(LayerType))
        {
            throw new ArgumentException("A custom layer needs a layerType (Namespace.Type, Assembly).");
        }

        Type type = Resolver.Resolve(LayerType);
        _resolved = (LayerType, Resolver, type);
        return type;
    }

    /// <inheritdoc />
    public override IReadOnlyList<int> OutputShape(string name, IReadOnlyList<int> inputShape)
    {
        var factory = Factory(name);
        return CustomLayer.Instantiate(name, factory, inputShape, new SplitMix64(0)).OutputShape;
    }

    /// <inheritdoc />
    public override Layer CreateLayer(string name, IReadOnlyList<int> inputShape) =>
        new CustomLayer(name, inputShape, Factory(name));

    /// <inheritdoc />
    public bool Equals(CustomLayerSpec? other) =>
        other is not null
        && string.Equals(LayerType, other.LayerType, StringComparison.Ordinal)
        && SameArguments(Arguments, other.Arguments);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(LayerType, Arguments?.Count ?? 0);

    private static bool SameArguments(IReadOnlyDictionary<string, JsonElement>? a, IReadOnlyDictionary<string, JsonElement>? b)
    {
        a ??= new Dictionary<string, JsonElement>();
        b ??= new Dictionary<string, JsonElement>();
        return a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out JsonElement other) && JsonElement.DeepEquals(kv.Value, other));
    }

    private static Dictionary<string, JsonElement>? ArgumentsOf(object? arguments)
    {
        if (arguments is null)
        {
            return null;
        }

        JsonElement json = JsonSerializer.SerializeToElement(arguments, arguments.GetType(), SpecJson.Options);
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"Custom layer arguments must be an object of named values (new {{ units = 64 }} or a dictionary), got JSON {json.ValueKind}.", nameof(arguments));
        }

        return json.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }

    /// <summary>Makes a new, unbuilt instance of the layer from its constructor arguments.</summary>
    private Func<TapeLayer> Factory(string name)
    {
        Type type;
        try
        {
            type = ResolveType();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Layer {name}: {e.Message}", e);
        }

        var arguments = Arguments ?? new Dictionary<string, JsonElement>();
        ConstructorInfo constructor = ChooseConstructor(name, type, arguments);
        ParameterInfo[] parameters = constructor.GetParameters();
        object?[] values = new object?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            ParameterInfo p = parameters[i];
            var given = arguments.FirstOrDefault(kv => string.Equals(kv.Key, p.Name, StringComparison.OrdinalIgnoreCase));
            if (given.Key is null)
            {
                values[i] = Type.Missing;
                continue;
            }

            try
            {
                values[i] = given.Value.Deserialize(p.ParameterType, SpecJson.Options);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                throw new ArgumentException($"Layer {name}: argument '{given.Key}' of {type.Name} does not read as {p.ParameterType.Name}: {e.Message}", e);
            }
        }

        return () =>
        {
            try
            {
                return (TapeLayer)constructor.Invoke(BindingFlags.OptionalParamBinding, null, (object?[])values.Clone(), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw new ArgumentException($"Layer {name}: the constructor of {type.FullName} threw {e.InnerException.GetType().Name}: {e.InnerException.Message}", e.InnerException);
            }
        };
    }

    private static ConstructorInfo ChooseConstructor(string name, Type type, IReadOnlyDictionary<string, JsonElement> arguments)
    {
        var fitting = new List<(ConstructorInfo Constructor, int Unset)>();
        foreach (ConstructorInfo c in type.GetConstructors(BindingFlags.Public | BindingFlags.Instance))
        {
            ParameterInfo[] ps = c.GetParameters();
            bool allKnown = arguments.Keys.All(k => ps.Count(p => string.Equals(p.Name, k, StringComparison.OrdinalIgnoreCase)) == 1);
            var unset = ps.Where(p => !arguments.Keys.Any(k => string.Equals(k, p.Name, StringComparison.OrdinalIgnoreCase))).ToList();
            if (allKnown && unset.All(p => p.IsOptional))
            {
                fitting.Add((c, unset.Count));
            }
        }

        string Signature(ConstructorInfo c) => $"{type.Name}({string.Join(", ", c.GetParameters().Select(p => $"{p.ParameterType.Name} {p.Name}{(p.IsOptional ? " = …" : string.Empty)}"))})";
        string given = arguments.Count == 0 ? "no arguments" : $"arguments {{{string.Join(", ", arguments.Keys)}}}";
        if (fitting.Count == 0)
        {
            string known = string.Join("; ", type.GetConstructors(BindingFlags.Public | BindingFlags.Instance).Select(Signature));
            throw new ArgumentException($"Layer {name}: no public constructor of {type.FullName} takes {given}; its constructors: {(known.Length > 0 ? known : "none public")}.");
        }

        int fewest = fitting.Min(f => f.Unset);
        var best = fitting.Where(f => f.Unset == fewest).ToList();
        return best.Count == 1
            ? best[0].Constructor
            : throw new ArgumentException($"Layer {name}: {given} fit several constructors of {type.FullName} equally ({string.Join("; ", best.Select(b => Signature(b.Constructor)))}); name more arguments.");
    }
}
