using DistTrain.Kernels.Backends;

namespace DistTrain.Kernels.Tests.Backends;

/// <summary>
/// The behaviour every <see cref="IComputeBackend"/> promises, checked against
/// <see cref="NaiveReference"/>. Bind it per backend with a small sealed subclass.
/// </summary>
public abstract partial class BackendContractTests : IDisposable
{
    private readonly List<DeviceBuffer> _buffers = [];
    private IComputeBackend? _backend;

    /// <summary>The backend under test, created on first use and disposed after the test.</summary>
    protected IComputeBackend Backend => _backend ??= CreateBackend();

    /// <summary>
    /// Factor applied to the test sizes (sweep lengths, matrix shapes). Slow backends such as
    /// an emulator may lower it; 1 is the full size.
    /// </summary>
    protected virtual double SizeScale => 1.0;

    /// <summary>Creates the backend under test.</summary>
    protected abstract IComputeBackend CreateBackend();

    public void Dispose()
    {
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }

        _backend?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A size scaled by <see cref="SizeScale"/>, at least <paramref name="minimum"/>.</summary>
    protected int Scaled(int size, int minimum = 1) => Math.Max(minimum, (int)Math.Round(size * SizeScale));

    /// <summary>Every length 0…256 (scaled), to reach every vector-remainder path.</summary>
    protected IEnumerable<int> SweepLengths() => Enumerable.Range(0, Scaled(256, 17) + 1);

    /// <summary>A buffer holding <paramref name="values"/>, disposed after the test.</summary>
    protected DeviceBuffer Upload(float[] values)
    {
        var buffer = Track(Backend.Allocate(values.Length));
        buffer.Upload(values);
        return buffer;
    }

    /// <summary>A zero-filled buffer, disposed after the test.</summary>
    protected DeviceBuffer Zeros(int length) => Track(Backend.Allocate(length));

    private DeviceBuffer Track(DeviceBuffer buffer)
    {
        _buffers.Add(buffer);
        return buffer;
    }

    /// <summary>Uniform floats in [-scale, scale) from a seeded generator.</summary>
    protected static float[] RandomFloats(Random random, int length, float scale = 1f)
    {
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * scale);
        }

        return values;
    }

    /// <summary>One-hot rows with a random class each.</summary>
    protected static float[] OneHot(Random random, int rows, int cols)
    {
        var values = new float[rows * cols];
        for (var r = 0; r < rows; r++)
        {
            values[(r * cols) + random.Next(cols)] = 1f;
        }

        return values;
    }

    /// <summary>Asserts |actual − expected| ≤ absolute + relative·|expected|, naming the element.</summary>
    protected static void AssertClose(double expected, double actual, double absolute, double relative, string what)
    {
        var tolerance = absolute + (relative * Math.Abs(expected));
        if (!(Math.Abs(actual - expected) <= tolerance) && !(double.IsNaN(expected) && double.IsNaN(actual)))
        {
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (tolerance {tolerance:G3}).");
        }
    }

    /// <summary>Asserts two arrays hold the same bits.</summary>
    protected static void AssertBitIdentical(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} differs: {expected[i]:R} vs {actual[i]:R}.");
            }
        }
    }
}
