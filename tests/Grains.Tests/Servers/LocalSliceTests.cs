using DistTrain.Grains.Servers;
using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;

namespace DistTrain.Grains.Tests.Servers;

/// <summary>The sharing rules of a slice's host memory, without a cluster.</summary>
public sealed class LocalSliceTests
{
    [Fact]
    public async Task AChangeWaitsForABorrowerAndGivesUpWithoutChangingAnythingWhenTheLoanIsNeverReturned()
    {
        using var backend = new CpuBackend(1);
        using DeviceBuffer weights = backend.Allocate(3);
        using DeviceBuffer gradient = backend.Allocate(3);
        weights.Upload([1f, 2f, 3f]);
        var slice = new LocalSlice("run", backend, weights, gradient, 7, borrowerTimeout: TimeSpan.FromMilliseconds(300));

        LocalSlice.WeightsLoan loan = slice.TryBorrowWeights("run", 7)!;
        var stuck = await Assert.ThrowsAsync<TimeoutException>(() => Task.Run(() => slice.Change(_ => weights.Upload([9f, 9f, 9f]), 8)));

        Assert.Contains("held its weights", stuck.Message);
        Assert.Equal([1f, 2f, 3f], weights.ToArray());
        using (LocalSlice.WeightsLoan again = slice.TryBorrowWeights("run", 7)!) // still version 7
        {
            Assert.Equal([1f, 2f, 3f], again.Weights.ToArray());
        }

        // Returned in time (a slice with the default patience), the change goes through as soon as the loan comes back.
        loan.Dispose();
        var patient = new LocalSlice("run", backend, weights, gradient, 7);
        LocalSlice.WeightsLoan held = patient.TryBorrowWeights("run", 7)!;
        Task change = Task.Run(() => patient.Change(_ => weights.Upload([9f, 9f, 9f]), 8));
        await Task.Delay(100);
        Assert.False(change.IsCompleted);
        held.Dispose();
        await change.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([9f, 9f, 9f], weights.ToArray());
        Assert.Null(patient.TryBorrowWeights("run", 7));
        using LocalSlice.WeightsLoan next = patient.TryBorrowWeights("run", 8)!;
        Assert.Equal([9f, 9f, 9f], next.Weights.ToArray());
    }
}
