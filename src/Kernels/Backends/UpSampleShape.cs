namespace DistTrain.Kernels.Backends;

/// <summary>Argument checks and sizes shared by the backends' up-sampling operations.</summary>
internal static class UpSampleShape
{
    /// <summary>Floats per input sample (h·w·c) and per output sample (h·sh · w·sw · c); throws on a non-positive argument.</summary>
    public static (int Input, int Output) Sizes(int height, int width, int channels, int scaleHeight, int scaleWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scaleHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scaleWidth);
        int input = checked(height * width * channels);
        return (input, checked(input * scaleHeight * scaleWidth));
    }
}
