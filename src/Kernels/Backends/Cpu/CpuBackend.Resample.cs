using System.Numerics.Tensors;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>Nearest up-sampling (NHWC) and the element-wise product used by dropout.</summary>
public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public unsafe void UpSampleForward(BufferSpan input, BufferSpan output, int batch, int height, int width, int channels, int scaleHeight, int scaleWidth)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (inSize, outSize) = UpSampleShape.Sizes(height, width, channels, scaleHeight, scaleWidth);
        var x = Pointer(input, Shape(batch, inSize), nameof(input));
        var y = Pointer(output, Shape(batch, outSize), nameof(output));
        ForEachSample(batch, b =>
        {
            float* source = x + ((long)b * inSize);
            float* target = y + ((long)b * outSize);
            int outWidth = width * scaleWidth;
            for (int oy = 0; oy < height * scaleHeight; oy++)
            {
                float* row = source + ((long)(oy / scaleHeight) * width * channels);
                for (int ox = 0; ox < outWidth; ox++, target += channels)
                {
                    new ReadOnlySpan<float>(row + ((long)(ox / scaleWidth) * channels), channels).CopyTo(new Span<float>(target, channels));
                }
            }
        });
    }

    /// <inheritdoc />
    public unsafe void UpSampleBackward(BufferSpan gradOutput, BufferSpan gradInput, int batch, int height, int width, int channels, int scaleHeight, int scaleWidth)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (inSize, outSize) = UpSampleShape.Sizes(height, width, channels, scaleHeight, scaleWidth);
        var g = Pointer(gradOutput, Shape(batch, outSize), nameof(gradOutput));
        var gx = Pointer(gradInput, Shape(batch, inSize), nameof(gradInput));
        ForEachSample(batch, b =>
        {
            float* source = g + ((long)b * outSize);
            float* target = gx + ((long)b * inSize);
            new Span<float>(target, inSize).Clear();
            long outRow = (long)width * scaleWidth * channels;
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    var cell = new Span<float>(target + ((((long)y * width) + x) * channels), channels);

                    // The block's cells in (dy, dx) order.
                    for (int dy = 0; dy < scaleHeight; dy++)
                    {
                        float* block = source + ((((long)y * scaleHeight) + dy) * outRow) + ((long)x * scaleWidth * channels);
                        for (int dx = 0; dx < scaleWidth; dx++)
                        {
                            TensorPrimitives.Add(cell, new ReadOnlySpan<float>(block + ((long)dx * channels), channels), cell);
                        }
                    }
                }
            }
        });
    }

    /// <inheritdoc />
    public void Multiply(BufferSpan a, BufferSpan b, BufferSpan result)
    {
        SameLength(a, b, nameof(b));
        SameLength(a, result, nameof(result));
        TensorPrimitives.Multiply(View(a, nameof(a)), View(b, nameof(b)), View(result, nameof(result)));
    }
}
