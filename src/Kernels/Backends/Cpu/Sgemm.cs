using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>
/// Single-precision GEMM on row-major host memory, <c>C = alpha·op(A)·op(B) + beta·C</c>:
/// packed panels, cache blocking (MC × KC blocks of A in L2, KC × NR panels of B in L1),
/// a register-blocked FMA micro-kernel, and threads over disjoint tiles of C.
/// </summary>
/// <remarks>
/// Determinism: k is always cut into blocks of <see cref="KC"/>; inside a block each
/// element is one FMA chain in increasing k, and blocks are added to C in increasing order.
/// The bits of an element therefore depend only on k, never on m, n, the tile or the thread.
/// </remarks>
internal sealed unsafe partial class Sgemm : IDisposable
{
    /// <summary>Depth of a K block. Fixed: changing it changes the bits of every result.</summary>
    public const int KC = 256;

    /// <summary>Rows of a packed A block (MC·KC floats ≈ 144 KiB, sized for L2).</summary>
    private const int MC = 144;

    /// <summary>Columns of a packed B block (KC·NC floats = 2 MiB, sized for L3).</summary>
    private const int NC = 2048;

    /// <summary>Below this many multiply-adds a second thread costs more than it saves.</summary>
    private const long MinMultiplyAddsPerThread = 1L << 18;

    private readonly int _maxThreads;
    private readonly SgemmWidth _width;
    private readonly int _nr;
    private readonly ParallelOptions _options;
    private readonly GemmWorkers? _workers;
    private readonly Action<int> _taskBody;
    private readonly Lock _callLock = new();
    /// <summary>
    /// Pack buffers for the threads of a call, one slot per thread, taken and returned with
    /// interlocked exchanges. (A ConcurrentBag here made every task on a thread other than the
    /// one that returned the buffer steal under a lock: measurable contention when a grain's
    /// calls hop between thread-pool threads.)
    /// </summary>
    private readonly Workspace?[] _workspaces;
    private Call _call;

    /// <param name="maxThreads">Most threads one call uses.</param>
    /// <param name="width">Vector width of the micro-kernel; by default the widest the hardware accelerates.</param>
    /// <param name="threading">How tasks are spread over threads.</param>
    public Sgemm(int maxThreads, SgemmWidth? width = null, GemmThreading threading = GemmThreading.ParallelFor)
    {
        _maxThreads = maxThreads;
        _width = width ?? (Vector512.IsHardwareAccelerated ? SgemmWidth.Vector512 : Vector256.IsHardwareAccelerated ? SgemmWidth.Vector256 : SgemmWidth.Vector128);
        _nr = _width switch
        {
            SgemmWidth.Vector512 => SgemmKernels.NR512,
            SgemmWidth.Vector256 => SgemmKernels.NR256,
            _ => SgemmKernels.NR128,
        };
        // The default scheduler, not TaskScheduler.Current: inside an Orleans grain that is the
        // activation's one-at-a-time scheduler, and the helper tasks would never start.
        _options = new ParallelOptions { MaxDegreeOfParallelism = maxThreads, TaskScheduler = TaskScheduler.Default };
        _workers = threading == GemmThreading.Workers && maxThreads > 1 ? new GemmWorkers(maxThreads - 1) : null;
        _taskBody = RunTask;
        _workspaces = new Workspace?[maxThreads + 1];
    }

    public void Run(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, float* b, float beta, float* c)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            ScaleC(c, (long)m * n, beta);
            return;
        }

        Dispatch(new Problem(transposeA, transposeB, m, n, k, alpha, a, b, beta, c), leaves: 0);
    }

    /// <summary>Runs a problem over a grid of tasks (tiles of C), on this thread when one task is enough.</summary>
    private void Dispatch(in Problem problem, int leaves)
    {
        var (rowTasks, colTasks) = Partition(problem.M, problem.N, problem.K);
        var tasks = rowTasks * colTasks;
        if (tasks == 1)
        {
            if (leaves > 0)
            {
                RunTreeTask(problem, leaves, 0, problem.M, 0, problem.N);
            }
            else
            {
                RunTask(problem, 0, problem.M, 0, problem.N);
            }

            return;
        }

        // Tiles are whole micro-panels so that only the matrix edges need edge tiles.
        lock (_callLock)
        {
            _call = new Call(
                problem,
                colTasks,
                CeilDiv(CeilDiv(problem.M, SgemmKernels.MR), rowTasks) * SgemmKernels.MR,
                CeilDiv(CeilDiv(problem.N, _nr), colTasks) * _nr,
                leaves);
            if (_workers is not null)
            {
                _workers.Run(tasks, _taskBody);
            }
            else
            {
                Parallel.For(0, tasks, _options, _taskBody);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every index in [0, <paramref name="tasks"/>) on the
    /// threads of this GEMM (its dedicated workers and the caller, or <c>Parallel.For</c>), and
    /// returns when all are done. For the element-wise passes of the backend: the workers are
    /// the ones that are spinning between the GEMMs of a step, so waking them costs nothing.
    /// </summary>
    public void ParallelFor(int tasks, Action<int> body)
    {
        if (tasks <= 1 || _maxThreads == 1)
        {
            for (var t = 0; t < tasks; t++)
            {
                body(t);
            }

            return;
        }

        if (_workers is not null)
        {
            _workers.Run(tasks, body);
        }
        else
        {
            Parallel.For(0, tasks, _options, body);
        }
    }

    /// <summary>An undisposed instance still lets its worker threads exit.</summary>
    ~Sgemm() => _workers?.Stop();

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _workers?.Dispose();
        for (var i = 0; i < _workspaces.Length; i++)
        {
            Interlocked.Exchange(ref _workspaces[i], null)?.Dispose();
        }
    }

    /// <summary>
    /// The grid of tasks (rows × columns of C) with the least padded work per task, using
    /// no more threads than there is work for.
    /// </summary>
    private (int Rows, int Cols) Partition(int m, int n, int k)
    {
        var work = (long)m * n * k;
        var threads = (int)Math.Clamp(work / MinMultiplyAddsPerThread, 1, _maxThreads);
        if (threads == 1)
        {
            return (1, 1);
        }

        var panelsM = CeilDiv(m, SgemmKernels.MR);
        var panelsN = CeilDiv(n, _nr);
        (int Rows, int Cols) best = (1, 1);
        var bestCost = long.MaxValue;
        for (var rows = 1; rows <= threads; rows++)
        {
            var cols = threads / rows;

            // Cost: padded micro-tiles of the busiest task, then prefer splitting rows (B is packed once per task).
            var cost = ((long)CeilDiv(panelsM, rows) * SgemmKernels.MR * CeilDiv(panelsN, cols) * _nr * 4) + cols;
            if (cost < bestCost)
            {
                (best, bestCost) = ((rows, cols), cost);
            }
        }

        return best;
    }

    /// <summary>Task <paramref name="task"/> of the current call: one tile of C.</summary>
    private void RunTask(int task)
    {
        var call = _call;
        var m0 = task / call.ColTasks * call.RowsPerTask;
        var n0 = task % call.ColTasks * call.ColsPerTask;
        if (m0 < call.Problem.M && n0 < call.Problem.N)
        {
            int m1 = Math.Min(call.Problem.M, m0 + call.RowsPerTask), n1 = Math.Min(call.Problem.N, n0 + call.ColsPerTask);
            if (call.Leaves > 0)
            {
                RunTreeTask(call.Problem, call.Leaves, m0, m1, n0, n1);
            }
            else
            {
                RunTask(call.Problem, m0, m1, n0, n1);
            }
        }
    }

    /// <summary>The blocked loops over C[m0:m1, n0:n1] on one thread.</summary>
    private void RunTask(in Problem p, int m0, int m1, int n0, int n1)
    {
        var workspace = TakeWorkspace();

        try
        {
            for (var jc = n0; jc < n1; jc += NC)
            {
                var nc = Math.Min(NC, n1 - jc);

                // A packed block is reused once per B panel; for one or two panels packing costs more than it saves.
                var packA = CeilDiv(nc, _nr) > 2;
                for (var pc = 0; pc < p.K; pc += KC)
                {
                    var kc = Math.Min(KC, p.K - pc);
                    SgemmPacking.PackB(p.TransposeB, p.B, p.N, p.K, pc, kc, jc, nc, _nr, workspace.B);
                    for (var ic = m0; ic < m1; ic += MC)
                    {
                        var mc = Math.Min(MC, m1 - ic);
                        if (packA)
                        {
                            SgemmPacking.PackA(p.TransposeA, p.A, p.M, p.K, ic, mc, pc, kc, workspace.A);
                        }

                        MacroKernel(p, workspace, packA, ic, mc, jc, nc, pc, kc);
                    }
                }
            }
        }
        finally
        {
            ReturnWorkspace(workspace);
        }
    }

    /// <summary>
    /// Every micro-tile of rows [ic, ic+mc) × columns [jc, jc+nc) for the K block [pc, pc+kc);
    /// B panels outermost so each stays in L1 while the A panels stream from L2.
    /// </summary>
    private void MacroKernel(in Problem p, Workspace workspace, bool packedA, int ic, int mc, int jc, int nc, int pc, int kc)
    {
        const int MR = SgemmKernels.MR;
        var nr = _nr;
        nint ldc = p.N;
        var first = pc == 0;
        var c = p.C + ((nint)ic * ldc) + jc;

        // Unpacked A is read in place: op(A)(i, p) = a[i·k + p], or a[p·m + i] when transposed.
        nint rowStride = packedA ? 1 : p.TransposeA ? 1 : p.K;
        nint kStride = packedA ? MR : p.TransposeA ? p.M : 1;
        var aBlock = packedA ? workspace.A : p.TransposeA ? p.A + ((nint)pc * p.M) + ic : p.A + ((nint)ic * p.K) + pc;
        for (var jr = 0; jr < nc; jr += nr)
        {
            var cols = Math.Min(nr, nc - jr);
            var bPanel = workspace.B + ((nint)jr * kc);
            for (var ir = 0; ir < mc; ir += MR)
            {
                var rows = Math.Min(MR, mc - ir);
                var aPanel = packedA ? aBlock + ((nint)ir * kc) : aBlock + (ir * rowStride);
                var (aRowStride, aKStride) = (rowStride, kStride);
                if (rows < MR && !packedA)
                {
                    // The last rows of unpacked A: pack them so the kernel never reads past the matrix.
                    SgemmPacking.PackA(p.TransposeA, p.A, p.M, p.K, ic + ir, rows, pc, kc, workspace.A);
                    aPanel = workspace.A;
                    (aRowStride, aKStride) = (1, MR);
                }

                var cTile = c + ((nint)ir * ldc) + jr;
                if (rows == MR && cols == nr)
                {
                    Kernel(kc, aPanel, aRowStride, aKStride, bPanel, cTile, ldc, p.Alpha, p.Beta, first);
                }
                else
                {
                    // Edge tile: run the same kernel on a scratch copy so that edge elements get the same bits.
                    var scratch = workspace.Edge;
                    for (var r = 0; r < rows; r++)
                    {
                        new Span<float>(cTile + (r * ldc), cols).CopyTo(new Span<float>(scratch + (r * nr), cols));
                    }

                    Kernel(kc, aPanel, aRowStride, aKStride, bPanel, scratch, nr, p.Alpha, p.Beta, first);
                    for (var r = 0; r < rows; r++)
                    {
                        new Span<float>(scratch + (r * nr), cols).CopyTo(new Span<float>(cTile + (r * ldc), cols));
                    }
                }
            }
        }
    }

    private void Kernel(int kc, float* a, nint rowStride, nint kStride, float* b, float* c, nint ldc, float alpha, float beta, bool first)
    {
        switch (_width)
        {
            case SgemmWidth.Vector512:
                SgemmKernels.Kernel6x32(kc, a, rowStride, kStride, b, c, ldc, alpha, beta, first);
                break;
            case SgemmWidth.Vector256:
                SgemmKernels.Kernel6x16(kc, a, rowStride, kStride, b, c, ldc, alpha, beta, first);
                break;
            default:
                SgemmKernels.Kernel6x8(kc, a, rowStride, kStride, b, c, ldc, alpha, beta, first);
                break;
        }
    }

    /// <summary>C = beta·C for an empty k (C = 0 when beta is 0, dropping NaNs).</summary>
    private static void ScaleC(float* c, long count, float beta)
    {
        var span = new Span<float>(c, checked((int)count));
        if (beta == 0f)
        {
            span.Clear();
        }
        else
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(span, beta, span);
        }
    }

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;

    /// <summary>A free workspace from the slots, or a new one.</summary>
    private Workspace TakeWorkspace()
    {
        for (var i = 0; i < _workspaces.Length; i++)
        {
            if (Volatile.Read(ref _workspaces[i]) is not null && Interlocked.Exchange(ref _workspaces[i], null) is { } workspace)
            {
                return workspace;
            }
        }

        return NewWorkspace();
    }

    /// <summary>Puts a workspace back in a free slot, or frees it when every slot is taken.</summary>
    private void ReturnWorkspace(Workspace workspace)
    {
        for (var i = 0; i < _workspaces.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _workspaces[i], workspace, null) is null)
            {
                return;
            }
        }

        workspace.Dispose();
    }

    private static Workspace NewWorkspace() => new((MC * KC) + SgemmPacking.Slack, KC * NC, SgemmKernels.MR * SgemmKernels.NR512, TreeLevels * SgemmKernels.MR * SgemmKernels.NR512);

    /// <summary>The arguments of one call.</summary>
    private readonly struct Problem(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, float* b, float beta, float* c)
    {
        public readonly bool TransposeA = transposeA;
        public readonly bool TransposeB = transposeB;
        public readonly int M = m;
        public readonly int N = n;
        public readonly int K = k;
        public readonly float Alpha = alpha;
        public readonly float Beta = beta;
        public readonly float* A = a;
        public readonly float* B = b;
        public readonly float* C = c;
    }

    /// <summary>A parallel call: the problem and its grid of tiles.</summary>
    /// <remarks><c>Leaves</c> is 0 for a plain GEMM, else the number of K blocks of a tree sum (see <see cref="RunTree"/>).</remarks>
    private readonly record struct Call(Problem Problem, int ColTasks, int RowsPerTask, int ColsPerTask, int Leaves = 0);

    /// <summary>One thread's pack buffers, 64-byte aligned, reused across calls.</summary>
    private sealed class Workspace : IDisposable
    {
        public Workspace(int aFloats, int bFloats, int edgeFloats, int slotFloats)
        {
            A = Allocate(aFloats);
            B = Allocate(bFloats);
            Edge = Allocate(edgeFloats);
            Slots = Allocate(slotFloats);
        }

        ~Workspace() => Free();

        public float* A { get; private set; }

        public float* B { get; private set; }

        public float* Edge { get; private set; }

        /// <summary>The pending partial sums of one micro-tile during a tree sum, one MR × NR tile per tree level.</summary>
        public float* Slots { get; private set; }

        public void Dispose()
        {
            Free();
            GC.SuppressFinalize(this);
        }

        private static float* Allocate(int floats) => (float*)NativeMemory.AlignedAlloc((nuint)floats * sizeof(float), 64);

        private void Free()
        {
            NativeMemory.AlignedFree(A);
            NativeMemory.AlignedFree(B);
            NativeMemory.AlignedFree(Edge);
            NativeMemory.AlignedFree(Slots);
            A = null;
            B = null;
            Edge = null;
            Slots = null;
        }
    }
}
