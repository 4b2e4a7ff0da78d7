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

    [Fact]
    public void ALinkReadCopiesARangeOfTheCurrentVersionAndRefusesRangesOutsideTheSliceOrAClosedSlice()
    {
        using var backend = new CpuBackend(1);
        using DeviceBuffer weights = backend.Allocate(5);
        using DeviceBuffer gradient = backend.Allocate(5);
        weights.Upload([1f, 2f, 3f, 4f, 5f]);
        var slice = new LocalSlice("run", backend, weights, gradient, 3);
        var directory = new LocalSliceDirectory();
        directory.Publish("slice-0", slice);

        var read = new float[3];
        Assert.True(directory.TryReadWeights("slice-0", 1, read, out long version));
        Assert.Equal([2f, 3f, 4f], read);
        Assert.Equal(3, version);

        slice.Change(_ => weights.Upload([6f, 7f, 8f, 9f, 10f]), 4);
        Assert.True(directory.TryReadWeights("slice-0", 2, read, out version));
        Assert.Equal([8f, 9f, 10f], read);
        Assert.Equal(4, version); // the version the values belong to, read under the same monitor

        Assert.False(directory.TryReadWeights("slice-0", 3, read, out _)); // past the end
        Assert.False(directory.TryReadWeights("slice-0", -1, read, out _));
        Assert.False(directory.TryReadWeights("slice-1", 0, read, out _)); // not in this silo: the grain answers
        slice.Close();
        Assert.False(directory.TryReadWeights("slice-0", 0, read, out _));
    }

    [Fact]
    public async Task AReadOfTheNextVersionWaitsUntilTheSliceHasAppliedItAndFailsWhenTheSliceClosesFirst()
    {
        using var backend = new CpuBackend(1);
        using DeviceBuffer weights = backend.Allocate(2);
        using DeviceBuffer gradient = backend.Allocate(2);
        weights.Upload([1f, 2f]);
        var slice = new LocalSlice("run", backend, weights, gradient, 5);

        Assert.True(slice.WhenAt(5).IsCompletedSuccessfully); // there already
        Assert.True(slice.WhenAt(4).IsCompletedSuccessfully);
        Task next = slice.WhenAt(6);
        Task later = slice.WhenAt(7);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);

        slice.Change(_ => weights.Upload([3f, 4f]), 6);
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        var read = new float[2];
        Assert.True(slice.TryReadWeights(0, read, out long version));
        Assert.Equal(6, version);
        Assert.Equal([3f, 4f], read); // the waiter sees the applied values
        Assert.False(later.IsCompleted);

        slice.Close();
        var closed = await Assert.ThrowsAsync<InvalidOperationException>(() => later.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("closed", closed.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => slice.WhenAt(8));
    }
}
