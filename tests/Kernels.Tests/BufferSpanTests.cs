namespace DistTrain.Kernels.Tests;

public class BufferSpanTests
{
}
