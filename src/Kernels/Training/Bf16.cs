using System.Runtime.CompilerServices;

namespace DistTrain.Kernels.Training;

/// <summary>
/// bfloat16 gradient compression with error feedback: a value travels as the top 16 bits of
/// its float32, rounded to nearest even; the sender keeps what the rounding lost and adds it
/// to the next value it sends for the same element, so no gradient mass is lost over steps
/// (the residual stays below one bf16 ulp of the element's value).
/// </summary>
public static class Bf16
{
    /// <summary>The bfloat16 nearest to <paramref name="value"/> (ties to even); NaN stays a quiet NaN, ±∞ stays ±∞.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Round(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        // Round to nearest even on the 16 bits dropped; overflow of the largest finite values to ∞ is the correct rounding.
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }

    /// <summary>The float32 a bfloat16 stands for (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Widen(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    /// <summary>
    /// Encodes <c>v = values + residual</c> into <paramref name="encoded"/> and leaves
    /// <c>residual = v − widen(encoded)</c> (error feedback). A non-finite <c>v</c> is sent as it
    /// is and resets its residual to 0, so a NaN step (which the server skips) does not poison
    /// later ones.
    /// </summary>
    public static void EncodeWithFeedback(ReadOnlySpan<float> values, Span<float> residual, Span<ushort> encoded)
    {
        if (residual.Length != values.Length || encoded.Length != values.Length)
        {
            throw new ArgumentException($"Values ({values.Length}), residual ({residual.Length}) and encoded ({encoded.Length}) must have the same length.");
        }

        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i] + residual[i];
            ushort q = Round(v);
            encoded[i] = q;
            float sent = Widen(q);
            residual[i] = float.IsFinite(sent) ? v - sent : 0f;
        }
    }

    /// <summary>Widens <paramref name="encoded"/> into <paramref name="values"/>.</summary>
    public static void Decode(ReadOnlySpan<ushort> encoded, Span<float> values)
    {
        if (encoded.Length != values.Length)
        {
            throw new ArgumentException($"Encoded ({encoded.Length}) and values ({values.Length}) must have the same length.");
        }

        for (int i = 0; i < encoded.Length; i++)
        {
            values[i] = Widen(encoded[i]);
        }
    }
}
