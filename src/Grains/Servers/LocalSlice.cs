using DistTrain.Kernels.Backends;
using DistTrain.Kernels.Backends.Cpu;

namespace DistTrain.Grains.Servers;

/// <summary>
/// A slice's state as the workers of its silo may touch it directly, in host memory: they copy
/// the weights of the current version out, and a single worker that computed the whole step may
/// copy its sum (the tree's root) into the slice's gradient, instead of a grain call with a
/// 2 MB payload each way. A lock, held by the slice while it changes the weights (apply, write,
/// release) and by a worker while it copies, keeps every copy whole.
/// </summary>
/// <remarks>
/// Exactly once: a root is accepted only while the slice has received nothing else for the
/// current version; the slice takes the deposit in its next turn (<see cref="CloseRootAndTakeDeposit"/>),
/// after which later pushes of any node of that step are duplicates.
/// </remarks>
internal sealed class LocalSlice(string runId, IComputeBackend backend, DeviceBuffer weights, DeviceBuffer gradient, long version)
{
    private readonly Lock _gate = new();
    private long _version = version;
    private bool _closed;
    private bool _acceptingRoot = true;
    private bool _deposited;

    /// <summary>Runs <paramref name="change"/> under the lock and sets the version; a new version accepts a root again.</summary>
    public void Change(Action change, long newVersion)
    {
        lock (_gate)
        {
            change();
            if (newVersion != _version)
            {
                _version = newVersion;
                _acceptingRoot = true;
                _deposited = false;
            }
        }
    }

    /// <summary>No reads or deposits after this returns (the slice is about to free its buffers).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
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
    /// Copies a whole-step gradient sum of step <paramref name="step"/> into the slice's gradient
    /// when nothing else of that step has reached the slice; false otherwise (push it instead).
    /// </summary>
    public bool TryDepositRoot(string run, long step, BufferSpan source)
    {
        lock (_gate)
        {
            if (!Serves(run, step) || !_acceptingRoot || source.Length != gradient.Length || source.Buffer is not CpuBuffer)
            {
                return false;
            }

            backend.Copy(source, gradient.All);
            _acceptingRoot = false;
            _deposited = true;
            return true;
        }
    }

    /// <summary>
    /// For the slice, in its turn, before it handles a push or reduces: no deposits from now on
    /// for this version; returns whether a root was deposited (and not yet taken).
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

    private bool Serves(string run, long step) => !_closed && _version == step && string.Equals(run, runId, StringComparison.Ordinal);
}
