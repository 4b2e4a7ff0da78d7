namespace DistTrain.Kernels.Backends;

/// <summary>
/// The pairwise sum of the micro-shard tree over buffers: <c>((T₀ + T₁) + (T₂ + T₃)) + …</c>
/// for a power-of-two number of terms, each added only as <c>left + right</c>. Terms are
/// written one at a time; at most log₂(terms) + 1 are pending at once (a stack, one buffer per
/// tree level), so memory stays small however many terms there are.
/// </summary>
public sealed class PairwiseFold : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly List<DeviceBuffer> _levels = [];

    /// <summary>Creates a fold whose scratch buffers (one per tree level above the destination) come from <paramref name="backend"/>.</summary>
    public PairwiseFold(IComputeBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
    }

    /// <summary>
    /// Writes into <paramref name="destination"/> the pairwise sum of <paramref name="terms"/>
    /// terms, where <paramref name="writeTerm"/>(t, target) overwrites <c>target</c> (of
    /// destination's length) with term t. Terms are requested in order 0, 1, …; term 0 is
    /// written straight into the destination.
    /// </summary>
    public void Run(BufferSpan destination, int terms, Action<int, BufferSpan> writeTerm)
    {
        ArgumentNullException.ThrowIfNull(writeTerm);
        CheckTermCount(terms);
        int depth = 0;
        for (int t = 0; t < terms; t++)
        {
            writeTerm(t, Level(depth, destination));
            depth++;
            for (int node = t; (node & 1) == 1; node >>= 1)
            {
                BufferSpan left = Level(depth - 2, destination);
                _backend.Add(left, Level(depth - 1, destination), left);
                depth--;
            }
        }
    }

    /// <summary>
    /// <see cref="IComputeBackend.GemmTree"/> by its definition: one <see cref="IComputeBackend.Gemm"/>
    /// per leaf into the fold's buffers, added pairwise. For backends without a fused version
    /// and for shapes the fused version does not take.
    /// </summary>
    public void GemmTreeByLeaf(int m, int n, int leafRows, int leaves, BufferSpan a, BufferSpan b, BufferSpan c) =>
        Run(
            c.Slice(0, m * n),
            leaves,
            (leaf, target) => _backend.Gemm(true, false, m, n, leafRows, 1f, a.Slice(leaf * leafRows * m, leafRows * m), b.Slice(leaf * leafRows * n, leafRows * n), 0f, target));

    /// <summary>Throws unless <paramref name="terms"/> is a positive power of two.</summary>
    public static void CheckTermCount(int terms)
    {
        if (terms < 1 || (terms & (terms - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(terms), terms, "A pairwise tree sum needs a positive power-of-two number of terms.");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (DeviceBuffer buffer in _levels)
        {
            buffer.Dispose();
        }

        _levels.Clear();
    }

    /// <summary>Level 0 is the destination; level d ≥ 1 a scratch buffer grown to the destination's length.</summary>
    private BufferSpan Level(int depth, BufferSpan destination)
    {
        if (depth == 0)
        {
            return destination;
        }

        int index = depth - 1;
        if (index == _levels.Count)
        {
            _levels.Add(_backend.Allocate(destination.Length));
        }
        else if (_levels[index].Length < destination.Length)
        {
            _levels[index].Dispose();
            _levels[index] = _backend.Allocate(destination.Length);
        }

        return _levels[index].Slice(0, destination.Length);
    }
}
