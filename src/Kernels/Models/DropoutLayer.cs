using System.Text;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Randomness;

namespace DistTrain.Kernels.Models;

/// <summary>
/// Inverted dropout. input, output, mask: (B, size). In training the mask of rows
/// [FirstRow, FirstRow + B) of the step is drawn on the host (<see cref="DropoutMask"/>),
/// uploaded, and applied with <see cref="IComputeBackend.Multiply"/>; the backward pass
/// applies the same mask to the gradient. Outside training it copies.
/// </summary>
public sealed class DropoutLayer : Layer
{
    private readonly ulong _stream;
    private DeviceBuffer? _mask;
    private float[] _hostMask = [];
    private bool _masked;

    /// <summary>Creates the layer; the layer's random stream is keyed by a hash of its name.</summary>
    public DropoutLayer(string name, IReadOnlyList<int> inputShape, float rate)
        : base(name, inputShape, inputShape)
    {
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        }

        Rate = rate;
        _stream = StableHash(name);
    }

    /// <summary>Fraction dropped.</summary>
    public float Rate { get; }

    /// <inheritdoc />
    public override void Allocate(IComputeBackend backend, int maxRows)
    {
        _mask?.Dispose();
        _mask = backend.Allocate(checked(maxRows * InputSize));
        _hostMask = new float[_mask.Length];
    }

    /// <inheritdoc />
    public override void Forward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, int rows)
    {
        int n = rows * InputSize;
        _masked = context.Training && Rate > 0f;
        if (!_masked)
        {
            context.Backend.Copy(input.Slice(0, n), output.Slice(0, n));
            return;
        }

        if (_mask is null || _mask.Length < n)
        {
            Allocate(context.Backend, rows);
        }

        DropoutMask.Fill(context.Seed, _stream, context.Step, context.FirstRow, rows, InputSize, Rate, _hostMask.AsSpan(0, n));
        _mask!.Upload(_hostMask.AsSpan(0, n));
        context.Backend.Multiply(input.Slice(0, n), _mask.Slice(0, n), output.Slice(0, n));
    }

    /// <inheritdoc />
    public override void Backward(in LayerContext context, BufferSpan parameters, BufferSpan input, BufferSpan output, BufferSpan gradOutput, BufferSpan? gradInput, int rows)
    {
        if (gradInput is not { } gi)
        {
            return;
        }

        int n = rows * InputSize;
        if (_masked)
        {
            context.Backend.Multiply(gradOutput.Slice(0, n), _mask!.Slice(0, n), gi.Slice(0, n));
        }
        else
        {
            context.Backend.Copy(gradOutput.Slice(0, n), gi.Slice(0, n));
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _mask?.Dispose();
        _mask = null;
        base.Dispose(disposing);
    }

    /// <summary>FNV-1a of the UTF-8 name: the same on every machine and run, unlike string.GetHashCode.</summary>
    private static ulong StableHash(string name)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 0x100000001B3UL;
        }

        return hash;
    }
}
