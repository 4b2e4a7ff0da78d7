using System.Collections.Concurrent;

namespace DistTrain.Grains.Workers;

/// <summary>
/// A worker's own thread for steps that move data while they compute: the compute blocks on
/// the weights of the next layer (<see cref="StepExchange"/>), which must not block a
/// thread-pool thread (the pool would have to grow before the replies that end the wait could
/// be read). One step at a time; the grain awaits the result.
/// </summary>
internal sealed class ComputeThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];

    public ComputeThread(string name)
    {
        var thread = new Thread(() =>
        {
            foreach (Action work in _work.GetConsumingEnumerable())
            {
                work();
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the thread; its result or exception completes the task (continuations never run on the thread).</summary>
    public Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    public void Dispose() => _work.CompleteAdding();
}
