namespace DistTrain.Kernels.Models;

/// <summary>
/// The named layout of a model's flat float32 parameter vector: layer by layer, each layer's
/// tensors in order (Dense: kernel (In, Out), then bias (Out)). Weights, gradients, momentum
/// and checkpoints all use it, so a parameter server can stay model-agnostic.
/// </summary>
public sealed class ParameterLayout : IEquatable<ParameterLayout>
{
    private readonly ParameterEntry[] _entries;

    /// <summary>Creates a layout from entries that must tile <c>[0, Total)</c> in order.</summary>
    public ParameterLayout(IEnumerable<ParameterEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [.. entries];
        int offset = 0;
        foreach (ParameterEntry e in _entries)
        {
            if (e.Offset != offset || e.Length != e.Shape.Aggregate(1, (a, d) => checked(a * d)) || e.Length < 0)
            {
                throw new ArgumentException($"Parameter entry {e} does not follow the previous one at offset {offset} or its length {e.Length} does not match its shape.", nameof(entries));
            }

            offset = checked(offset + e.Length);
        }

        if (_entries.Select(e => e.Name).Distinct().Count() != _entries.Length)
        {
            throw new ArgumentException("Parameter names must be unique.", nameof(entries));
        }

        Total = offset;
    }

    /// <summary>The entries, in offset order.</summary>
    public IReadOnlyList<ParameterEntry> Entries => _entries;

    /// <summary>Floats in the whole vector.</summary>
    public int Total { get; }

    /// <summary>The layout of <paramref name="spec"/> (validated).</summary>
    public static ParameterLayout For(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var entries = new List<ParameterEntry>();
        int offset = 0;
        foreach (Layer layer in spec.CreateLayers())
        {
            foreach (LayerParameter p in layer.Parameters)
            {
                entries.Add(new ParameterEntry($"{layer.Name}/{p.Name}", offset, p.Length, [.. p.Shape]));
                offset += p.Length;
            }
        }

        return new ParameterLayout(entries);
    }

    /// <summary>The entry named <paramref name="name"/>.</summary>
    public ParameterEntry this[string name] =>
        Array.Find(_entries, e => e.Name == name) ?? throw new KeyNotFoundException($"No parameter named '{name}' in {Describe()}.");

    /// <summary>One line per tensor plus the total, for error messages and logs.</summary>
    public string Describe() =>
        string.Join("; ", _entries.Select(e => e.ToString())) + $" (total {Total} floats)";

    /// <summary>Throws an <see cref="InvalidOperationException"/> describing both layouts unless <paramref name="other"/> is the same layout.</summary>
    public void EnsureSameAs(ParameterLayout other, string otherDescription)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Equals(other))
        {
            throw new InvalidOperationException($"The parameter layout of {otherDescription} does not match the model: expected {Describe()}, got {other.Describe()}.");
        }
    }

    /// <inheritdoc />
    public bool Equals(ParameterLayout? other) =>
        other is not null && Total == other.Total && _entries.AsSpan().SequenceEqual(other._entries);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ParameterLayout);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Total, _entries.Length);

    /// <inheritdoc />
    public override string ToString() => Describe();
}
