using System.Diagnostics;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// A few dedicated threads that help run the tasks of one parallel call, with the calling
/// thread taking part. Tasks are claimed from a shared ticket counter, so a worker the OS
/// has not scheduled yet delays nothing: the others take its tasks and the call returns
/// as soon as every task is done. No allocation per call.
/// </summary>
/// <remarks>
/// A ticket is <c>(generation &lt;&lt; 32) | task</c>. A worker that wakes late and draws a
/// ticket of a finished call sees a generation that differs from the current limit's and
/// drops it, so it can never run a task of the wrong call.
/// </remarks>
internal sealed class GemmWorkers : IDisposable
{
    /// <summary>
    /// How long an idle worker, or a caller waiting for the last task, spins before it blocks:
    /// GEMMs of a training step come back to back, and waking a blocked thread costs far more.
    /// </summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000;

    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _start;
    private readonly ManualResetEventSlim _done = new(false, spinCount: 100);
    private readonly Lock _callLock = new();
    private Action<int>? _body;
    private long _ticket;
    private long _limit;
    private int _remaining;
    private Exception? _error;
    private volatile bool _stopping;

    /// <param name="workers">Threads besides the caller's.</param>
    public GemmWorkers(int workers)
    {
        _threads = new Thread[workers];
        _start = new ManualResetEventSlim[workers];
        for (var i = 0; i < workers; i++)
        {
            _start[i] = new ManualResetEventSlim(false, spinCount: 100);
            var index = i;
            _threads[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"DistTrain GEMM {i + 1}" };
            _threads[i].Start();
        }
    }

    /// <summary>Runs <paramref name="body"/> for every task index in [0, taskCount) and returns when all are done.</summary>
    public void Run(int taskCount, Action<int> body)
    {
        lock (_callLock)
        {
            var generation = (Volatile.Read(ref _limit) >> 32) + 1;
            _body = body;
            _error = null;
            _done.Reset();
            Volatile.Write(ref _remaining, taskCount);
            Volatile.Write(ref _limit, (generation << 32) + taskCount);
            Interlocked.Exchange(ref _ticket, generation << 32);
            for (var i = 0; i < Math.Min(taskCount - 1, _threads.Length); i++)
            {
                _start[i].Set();
            }

            Work();

            // A late Set from the previous call may leave the event signalled: re-check after each wake.
            var deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref _remaining) != 0 && Stopwatch.GetTimestamp() < deadline)
            {
                Thread.SpinWait(20);
            }

            while (Volatile.Read(ref _remaining) != 0)
            {
                _done.Wait();
                _done.Reset();
            }

            _body = null;
            if (_error is not null)
            {
                throw new AggregateException(_error);
            }
        }
    }

    /// <summary>Tells the threads to exit without waiting for them (safe from a finalizer).</summary>
    public void Stop()
    {
        _stopping = true;
        foreach (var start in _start)
        {
            start.Set();
        }
    }

    public void Dispose()
    {
        Stop();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        foreach (var start in _start)
        {
            start.Dispose();
        }

        _done.Dispose();
    }

    private void WorkerLoop(int index)
    {
        var start = _start[index];
        var seen = 0L;
        while (!_stopping)
        {
            var generation = Volatile.Read(ref _limit) >> 32;
            if (generation != seen)
            {
                seen = generation;
                Work();
                continue;
            }

            // Idle: spin briefly for the next call, then block until one is published.
            var deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while ((Volatile.Read(ref _limit) >> 32) == seen && !_stopping && Stopwatch.GetTimestamp() < deadline)
            {
                Thread.SpinWait(20);
            }

            if ((Volatile.Read(ref _limit) >> 32) == seen && !_stopping)
            {
                start.Wait();
                start.Reset();
            }
        }
    }

    /// <summary>Claims and runs tasks of the current call until none are left.</summary>
    private void Work()
    {
        while (true)
        {
            var ticket = Interlocked.Increment(ref _ticket) - 1;
            var limit = Volatile.Read(ref _limit);
            if ((ticket >> 32) != (limit >> 32) || ticket >= limit)
            {
                return;
            }

            try
            {
                _body!((int)(ticket & 0xFFFF_FFFF));
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _error, ex, null);
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.Set();
            }
        }
    }
}
