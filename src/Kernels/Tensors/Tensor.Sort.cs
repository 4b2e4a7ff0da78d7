namespace DistTrain.Kernels.Tensors;

/// <summary>Ordering along the last axis: <c>Sort</c>, <c>ArgSort</c>, <c>TopK</c>, and <c>Unique</c>.</summary>
public partial class Tensor
{
    /// <summary>Indices that sort each row of the last axis (stable; int32), ascending or descending.</summary>
    public static Tensor ArgSort(Tensor x, bool descending = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        var v = AsDoubles(x, "ArgSort");
        int n = x.Rank == 0 ? 1 : x.Shape[-1];
        var result = new int[x.Size];
        var order = new int[n];
        for (int start = 0; start < x.Size; start += n)
        {
            for (int i = 0; i < n; i++)
            {
                order[i] = i;
            }

            int s = start;
            // A stable comparison: ties keep their original order.
            Array.Sort(order, (i, j) =>
            {
                int c = v[s + i].CompareTo(v[s + j]);
                return c != 0 ? (descending ? -c : c) : i.CompareTo(j);
            });
            order.CopyTo(result, start);
        }

        return Wrap(result, x.Shape);
    }

    /// <summary>Each row of the last axis sorted (ascending by default); the gradient flows back to the sorted positions.</summary>
    public static Tensor Sort(Tensor x, bool descending = false) => TakeAlongLastAxis(x, ArgSort(x, descending).Values<int>(), x.Shape);

    /// <summary>
    /// The <paramref name="k"/> largest values of each row of the last axis and their int32 indices,
    /// largest first; equal values keep the lower index first (TF). O(n log k) with a heap per row.
    /// </summary>
    public static (Tensor Values, Tensor Indices) TopK(Tensor x, int k = 1)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0 || k < 0 || k > x.Shape[-1])
        {
            throw new ArgumentException($"TopK: k = {k} must be in [0, {(x.Rank == 0 ? 0 : x.Shape[-1])}] for shape {x.Shape}.");
        }

        var v = AsDoubles(x, "TopK");
        int n = x.Shape[-1];
        int rows = n == 0 ? 0 : x.Size / n;
        var indices = new int[rows * k];
        var heap = new PriorityQueue<int, (double Value, int Index)>(k + 1, WorseFirst.Instance);
        for (int r = 0; r < rows; r++)
        {
            heap.Clear();
            int s = r * n;
            for (int i = 0; i < n && k > 0; i++)
            {
                if (heap.Count < k)
                {
                    heap.Enqueue(i, (v[s + i], i));
                }
                else if (v[s + i] > v[s + heap.Peek()])
                {
                    heap.EnqueueDequeue(i, (v[s + i], i));
                }
            }

            for (int j = k - 1; j >= 0; j--)
            {
                indices[(r * k) + j] = heap.Dequeue();
            }
        }

        var dims = x.Shape.ToArray();
        dims[^1] = k;
        var shape = new TensorShape(dims);
        return (TakeAlongLastAxis(x, indices, shape), Wrap(indices, shape));
    }

    /// <summary>The distinct values of a rank-1 tensor in order of first appearance, and for each element the index of its value (int32).</summary>
    public static (Tensor Values, Tensor Indices) Unique(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 1)
        {
            throw new ArgumentException($"Unique takes a rank-1 tensor, not shape {x.Shape}.", nameof(x));
        }

        var seen = new Dictionary<object, int>();
        var firsts = new List<int>();
        var idx = new int[x.Size];
        for (int i = 0; i < x.Size; i++)
        {
            var key = x.Data.GetValue(i)!;
            if (!seen.TryGetValue(key, out int u))
            {
                u = seen.Count;
                seen[key] = u;
                firsts.Add(i);
            }

            idx[i] = u;
        }

        return (Gather(StopGradient(x), From(firsts.ToArray())), Wrap(idx, x.Shape));
    }

    /// <summary>out[row, j] = x[row, idx[row, j]] along the last axis; the gradient scatters back.</summary>
    private static Tensor TakeAlongLastAxis(Tensor x, int[] idx, TensorShape shape)
    {
        int n = x.Rank == 0 ? 1 : x.Shape[-1];
        int k = shape.Rank == 0 ? 1 : shape[-1];
        var data = x.DType.NewArray(shape.Size);
        for (int j = 0; j < idx.Length; j++)
        {
            System.Array.Copy(x.Data, (j / k * n) + idx[j], data, j, 1);
        }

        var r = new Tensor(data, shape, x.DType);
        Record(r, x, g =>
        {
            var flat = CastNoTape(g, DType.Float64).Values<double>();
            var d = new double[x.Size];
            for (int j = 0; j < idx.Length; j++)
            {
                d[(j / k * n) + idx[j]] += flat[j];
            }

            return CastNoTape(Wrap(d, x.Shape), g.DType);
        });
        return r;
    }

    private static double[] AsDoubles(Tensor x, string op) => x.DType == DType.Bool
        ? throw new ArgumentException($"{op} is not defined for bool tensors.")
        : CastNoTape(x, DType.Float64).Values<double>();

    /// <summary>Heap order for TopK: the root is the worst kept element (smallest value; among equals, the higher index).</summary>
    private sealed class WorseFirst : IComparer<(double Value, int Index)>
    {
        public static readonly WorseFirst Instance = new();

        public int Compare((double Value, int Index) a, (double Value, int Index) b)
        {
            int c = a.Value.CompareTo(b.Value);
            return c != 0 ? c : b.Index.CompareTo(a.Index);
        }
    }
}
