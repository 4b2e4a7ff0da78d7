using DistTrain.Kernels.Backends.Cpu;

namespace DistTrain.Kernels.Tests.Backends.Cpu;

public sealed class GemmWorkersTests
{
    [Fact]
    public void EveryTaskRunsExactlyOnceInEveryCall()
    {
        using var workers = new GemmWorkers(3);
        var random = new Random(50);
        for (var call = 0; call < 2000; call++)
        {
            var counts = new int[random.Next(1, 9)];
            workers.Run(counts.Length, task => Interlocked.Increment(ref counts[task]));
            Assert.All(counts, count => Assert.Equal(1, count));
        }
    }

    [Fact]
    public void AnExceptionInATaskReachesTheCaller()
    {
        using var workers = new GemmWorkers(1);
        var ex = Assert.Throws<AggregateException>(() => workers.Run(4, task => throw new InvalidOperationException($"task {task}")));
        Assert.IsType<InvalidOperationException>(ex.InnerException);

        // The workers survive and serve the next call.
        var ran = 0;
        workers.Run(4, _ => Interlocked.Increment(ref ran));
        Assert.Equal(4, ran);
    }
}
