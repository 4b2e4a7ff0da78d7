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

    /// <summary>The window geometry, turning a window that does not fit into an exception naming the layer.</summary>
    public static Backends.Window2D Window(string name, IReadOnlyList<int> inputShape, string kind, int size, int stride, Backends.PaddingKind padding)
    {
        var (h, w, c) = Of(name, kind, inputShape);
        Positive(name, "the window size", size);
        Positive(name, "the stride", stride);
        KnownPadding(name, padding);
        try
        {
            return Backends.Window2D.Square(h, w, c, size, stride, padding);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Layer {name}: {ex.Message}", ex);
        }
    }
}
