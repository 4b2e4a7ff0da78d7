namespace DistTrain.Kernels.Models;

/// <summary>Checks shared by the image layers, whose samples are <c>[height, width, channels]</c>.</summary>
internal static class ImageShape
{
    /// <summary>(h, w, c) of <paramref name="inputShape"/>, or a clear exception naming the layer.</summary>
    public static (int Height, int Width, int Channels) Of(string name, string kind, IReadOnlyList<int> inputShape)
    {
        if (inputShape.Count != 3)
        {
            throw new ArgumentException(
                $"Layer {name}: {kind} needs image samples [height, width, channels], got shape [{string.Join(", ", inputShape)}]; give the model an input shape such as [28, 28, 1].");
        }

        return (inputShape[0], inputShape[1], inputShape[2]);
    }

    /// <summary>Throws unless <paramref name="value"/> is positive.</summary>
    public static void Positive(string name, string what, int value)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"Layer {name}: {what} must be positive, got {value}.");
        }
    }

    /// <summary>Throws unless <paramref name="padding"/> is a known value.</summary>
    public static void KnownPadding(string name, Backends.PaddingKind padding)
    {
        if (!Enum.IsDefined(padding))
        {
            throw new ArgumentException($"Layer {name}: unknown padding {padding}; use 'valid' or 'same'.");
        }
    }

    /// <summary>Throws unless both sides of <paramref name="value"/> are positive; <paramref name="field"/> is its JSON name.</summary>
    public static void Positive(string name, string field, Size2D value)
    {
        if (!value.IsPositive)
        {
            throw new ArgumentException($"Layer {name}: {field} must be positive along both axes, got {value}.");
        }
    }

    /// <summary>
    /// The window geometry (<paramref name="size"/> and <paramref name="stride"/> as (height, width),
    /// named <paramref name="sizeField"/> and <c>strides</c> in messages), turning a window that
    /// does not fit into an exception naming the layer.
    /// </summary>
    public static Backends.Window2D Window(string name, IReadOnlyList<int> inputShape, string kind, string sizeField, Size2D size, Size2D stride, Backends.PaddingKind padding)
    {
        var (h, w, c) = Of(name, kind, inputShape);
        Positive(name, sizeField, size);
        Positive(name, "strides", stride);
        KnownPadding(name, padding);
        try
        {
            return new Backends.Window2D(h, w, c, size.Height, size.Width, stride.Height, stride.Width, padding);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Layer {name}: {ex.Message}", ex);
        }
    }
}
