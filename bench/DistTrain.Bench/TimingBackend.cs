using System.Diagnostics;
using System.Reflection;
using DistTrain.Kernels.Backends;

namespace DistTrain.Bench;

/// <summary>
/// Wraps a backend and adds up the wall time and calls of each operation, to see where a
/// training step spends its time (GEMM by shape, element-wise ops, tree sums). A
/// <see cref="DispatchProxy"/>, so it follows the interface as operations are added.
/// </summary>
public class TimingBackend : DispatchProxy
{
    private readonly Dictionary<string, (long Ticks, long Calls)> _totals = [];
    private IComputeBackend _inner = null!;

    /// <summary>Per operation: total time and calls since the last <see cref="Clear"/>.</summary>
    public IEnumerable<(string Op, TimeSpan Time, long Calls)> Totals =>
        _totals.Select(kv => (kv.Key, TimeSpan.FromSeconds(kv.Value.Ticks / (double)Stopwatch.Frequency), kv.Value.Calls));

    /// <summary>A backend that forwards to <paramref name="inner"/> and times every call; the proxy's <see cref="TimingBackend"/> view gives the totals.</summary>
    public static (IComputeBackend Backend, TimingBackend Timer) Wrap(IComputeBackend inner)
    {
        IComputeBackend proxy = Create<IComputeBackend, TimingBackend>();
        var timer = (TimingBackend)(object)proxy;
        timer._inner = inner;
        return (proxy, timer);
    }

    /// <summary>Forgets the totals.</summary>
    public void Clear() => _totals.Clear();

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        string op = targetMethod.Name == nameof(IComputeBackend.Gemm) && args is not null
            ? $"gemm_{((bool)args[0]! ? "T" : "N")}{((bool)args[1]! ? "T" : "N")}_{args[2]}x{args[3]}x{args[4]}"
            : targetMethod.Name;
        long start = Stopwatch.GetTimestamp();
        object? result;
        try
        {
            result = targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }

        long ticks = Stopwatch.GetTimestamp() - start;
        if (targetMethod.Name is not (nameof(IComputeBackend.Allocate) or "get_Name" or nameof(IDisposable.Dispose)))
        {
            _totals[op] = _totals.TryGetValue(op, out var t) ? (t.Ticks + ticks, t.Calls + 1) : (ticks, 1);
        }

        return result;
    }
}
