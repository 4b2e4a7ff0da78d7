using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;

namespace DistTrain.Grains.Servers;

/// <summary>
/// A slice's state as the workers of its silo may touch it directly, in host memory, instead of
/// grain calls with a 2 MB payload each way: a worker copies the weights of the current version
/// out, or computes straight from them while it holds a <see cref="WeightsLoan"/>; and a single
/// worker that computed the whole step lends the slice its sum (the tree's root) in place of a push.
/// </summary>
/// <remarks>
/// <para>One monitor guards it. The slice changes its weights (apply, write, release) only while
/// no worker borrows them, so a borrowed version stays whole for the borrower's compute; a worker
/// normally returns them before its step's result reaches the coordinator, which is what lets
/// the step be applied. A change waits at most <see cref="DefaultBorrowerTimeout"/> for
/// borrowers, then fails unmade (the coordinator retries the step).</para>
/// <para>Exactly once: a root is accepted only while the slice has received nothing else for the
/// current version; the slice takes it in its next turn (<see cref="CloseRootAndTakeDeposit"/>),
/// after which later pushes of any node of that step are duplicates.</para>
/// <para>A lent root stays the worker's memory: the slice reads it only under the monitor
/// (<see cref="ReadGradient{T}"/>, <see cref="Change"/>), and a worker that needs its buffer back
/// before the step was applied (a new step or its replica freed) calls <see cref="Reclaim"/>, which
/// copies the loan into the slice's own gradient first. In the normal flow the apply ends the
/// loan and nothing is ever copied.</para>
/// </remarks>
internal sealed class LocalSlice(string runId, IComputeBackend backend, DeviceBuffer weights, DeviceBuffer gradient, long version, TimeSpan? borrowerTimeout = null)
{
    /// <summary>How long a change waits for borrowers by default: far longer than any one compute.</summary>
    public static readonly TimeSpan DefaultBorrowerTimeout = TimeSpan.FromMinutes(2);

    private readonly object _gate = new();
    private long _version = version;
    private bool _closed;
    private bool _acceptingRoot = true;
    private bool _deposited;
    private int _borrowers;
    private BufferSpan? _loan;
    private object? _lender;
    private readonly List<(long Version, TaskCompletionSource Signal)> _waiters = [];

    /// <summary>
    /// Runs <paramref name="change"/> on the step's gradient (a lent root or the slice's own) once
    /// no worker borrows the weights, and sets the version; a new version ends any loan and
    /// accepts a root again.
    /// </summary>
    public void Change(Action<BufferSpan> change, long newVersion)
    {
        lock (_gate)
        {
            WaitForBorrowers();
            change(_loan ?? gradient.All);
            if (newVersion != _version)
            {
                _version = newVersion;
                _acceptingRoot = true;
                _deposited = false;
                EndLoan();
                ReleaseWaiters();
            }
        }
    }

    /// <summary>Reads the step's gradient (a lent root or the slice's own) under the monitor.</summary>
    public T ReadGradient<T>(Func<BufferSpan, T> read)
    {
        lock (_gate)
        {
            return read(_loan ?? gradient.All);
        }
    }

    /// <summary>No reads, loans or deposits after this returns (the slice is about to free its buffers); waits for borrowers.</summary>
    public void Close()
    {
        lock (_gate)
        {
            WaitForBorrowers();
            _closed = true;
            EndLoan();
            foreach (var (version, signal) in _waiters)
            {
                signal.TrySetException(new InvalidOperationException($"Slice of run '{runId}' was closed (reconfigured or released) before it reached version {version}."));
            }

            _waiters.Clear();
        }
    }

    /// <summary>Copies the weights into <paramref name="destination"/> (host memory) when they are version <paramref name="step"/> of run <paramref name="run"/>.</summary>
    public bool TryCopyWeights(string run, long step, BufferSpan destination)
    {
        lock (_gate)
        {
            if (!Serves(run, step) || destination.Length != weights.Length || destination.Buffer is not CpuBuffer)
            {
                return false;
            }

            backend.Copy(weights.All, destination);
            return true;
        }
    }

    /// <summary>
    /// How long a read of a version waits for its slice to reach it (in memory, through the link
    /// or by grain calls): a step whose apply never comes must not hold the worker.
    /// </summary>
    public static readonly TimeSpan VersionPatience = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Completes once the slice holds version <paramref name="version"/> or a later one (at once
    /// if it does already); faults if the slice is closed first. Reads of the next step's weights
    /// wait on it, so a worker may ask for them while the step before is still being applied.
    /// </summary>
    public Task WhenAt(long version)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return Task.FromException(new InvalidOperationException($"Slice of run '{runId}' is closed."));
            }

            if (_version >= version)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((version, signal));
            return signal.Task;
        }
    }

    /// <summary>
    /// Copies the weights <c>[offset, offset + destination.Length)</c> of the slice's current
    /// version into <paramref name="destination"/> under the monitor (never half an update), for
    /// the tensor link, which answers reads of this silo's slices without a grain call; false once
    /// the slice is closed or the range is outside it.
    /// </summary>
    public bool TryReadWeights(int offset, Span<float> destination, out long version)
    {
        lock (_gate)
        {
            version = _version;
            if (_closed || offset < 0 || (long)offset + destination.Length > weights.Length)
            {
                return false;
            }

            weights.Download(destination, offset);
            return true;
        }
    }

    /// <summary>
    /// Lends the weights of version <paramref name="step"/> of run <paramref name="run"/> for a
    /// compute without copying them; null when the slice holds another run or version. The
    /// slice cannot change them until the loan is disposed.
    /// </summary>
    public WeightsLoan? TryBorrowWeights(string run, long step)
    {
        lock (_gate)
        {
            if (!Serves(run, step) || weights is not CpuBuffer)
            {
                return null;
            }

            _borrowers++;
            return new WeightsLoan(this, weights.All);
        }
    }

    /// <summary>
    /// Lends the slice <paramref name="source"/>, a whole-step gradient sum of step
    /// <paramref name="step"/> in <paramref name="lender"/>'s host memory, when nothing else of that
    /// step has reached the slice; false otherwise (push it instead). The lender must call
    /// <see cref="Reclaim"/> before it writes or frees that memory.
    /// </summary>
    public bool TryLendRoot(string run, long step, BufferSpan source, object lender)
    {
        lock (_gate)
        {
            if (!Serves(run, step) || !_acceptingRoot || source.Length != gradient.Length || source.Buffer is not CpuBuffer)
            {
                return false;
            }

            _loan = source;
            _lender = lender;
            _acceptingRoot = false;
            _deposited = true;
            return true;
        }
    }

    /// <summary>
    /// Ends <paramref name="lender"/>'s loan, if the slice still holds one: a step not yet applied
    /// keeps the sum, copied into the slice's own gradient.
    /// </summary>
    public void Reclaim(object lender)
    {
        lock (_gate)
        {
            if (_loan is { } loan && ReferenceEquals(_lender, lender))
            {
                backend.Copy(loan, gradient.All);
                EndLoan();
            }
        }
    }

    /// <summary>
    /// For the slice, in its turn, before it handles a push or reduces: no deposits from now on
    /// for this version; returns whether a root was lent (and not yet taken).
    /// </summary>
    public bool CloseRootAndTakeDeposit()
    {
        lock (_gate)
        {
            _acceptingRoot = false;
            bool deposited = _deposited;
            _deposited = false;
            return deposited;
        }
    }

    private void Return()
    {
        lock (_gate)
        {
            _borrowers--;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Waits (releasing the monitor) until no worker borrows the weights; a loan held past the
    /// timeout — a worker stuck or a loan never returned — fails the change instead of blocking
    /// the slice's thread for good (the coordinator then retries the step).
    /// </summary>
    private void WaitForBorrowers()
    {
        TimeSpan timeout = borrowerTimeout ?? DefaultBorrowerTimeout;
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (_borrowers > 0)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                throw new TimeoutException($"Slice of run '{runId}': {_borrowers} worker(s) of this silo have held its weights for over {timeout.TotalSeconds:0.#} s; the change was not made.");
            }

            Monitor.Wait(_gate, TimeSpan.FromMilliseconds(left));
        }
    }

    private void ReleaseWaiters()
    {
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Version <= _version)
            {
                _waiters[i].Signal.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    private void EndLoan()
    {
        _loan = null;
        _lender = null;
    }

    private bool Serves(string run, long step) => !_closed && _version == step && string.Equals(run, runId, StringComparison.Ordinal);

    /// <summary>The weights of one version, lent for a compute; the slice keeps them as they are until this is disposed.</summary>
    public sealed class WeightsLoan : IDisposable
    {
        private LocalSlice? _slice;

        internal WeightsLoan(LocalSlice slice, BufferSpan weights)
        {
            _slice = slice;
            Weights = weights;
        }

        /// <summary>The slice's weights (host memory); read-only for the borrower.</summary>
        public BufferSpan Weights { get; }

        /// <inheritdoc />
        public void Dispose()
        {
            Interlocked.Exchange(ref _slice, null)?.Return();
        }
    }
}
