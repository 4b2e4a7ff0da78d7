using DistTrain.Kernels.Training;

namespace DistTrain.Grains.Workers;

/// <summary>
/// Arrays a worker reuses from step to step: push payloads (no large-object allocation per
/// chunk and step — safe because every push is awaited before the next step and the server
/// copies a chunk before its call returns), a scratch span for encoding, and the error-feedback
/// residuals of compressed pushes, one per partial-sum node, kept only while the worker's
/// micro-shard assignment stays the same (a re-planned step starts them again from zero).
/// </summary>
internal sealed class WorkerBuffers
{
    private readonly List<byte[]> _payloads = [];
    private readonly Dictionary<TreeNode, float[]> _residuals = [];
    private float[] _scratch = [];
    private readonly Dictionary<TreeNode, float[]> _saved = [];
    private (int First, int Count) _assignment = (-1, -1);
    private long _step = -1;

    /// <summary>Payload array number <paramref name="index"/> of a step, of exactly <paramref name="bytes"/> bytes.</summary>
    public byte[] Payload(int index, int bytes)
    {
        while (_payloads.Count <= index)
        {
            _payloads.Add([]);
        }

        if (_payloads[index].Length != bytes)
        {
            _payloads[index] = GC.AllocateUninitializedArray<byte>(bytes);
        }

        return _payloads[index];
    }

    /// <summary>A scratch span of <paramref name="floats"/> floats (overwritten by the next call).</summary>
    public Span<float> Scratch(int floats)
    {
        if (_scratch.Length < floats)
        {
            _scratch = GC.AllocateUninitializedArray<float>(floats);
        }

        return _scratch.AsSpan(0, floats);
    }

    /// <summary>The residual of node <paramref name="node"/> (zero when new).</summary>
    public float[] Residual(TreeNode node, int length)
    {
        if (!_residuals.TryGetValue(node, out float[]? residual) || residual.Length != length)
        {
            residual = new float[length];
            _residuals[node] = residual;
        }

        return residual;
    }

    /// <summary>
    /// Starts step <paramref name="step"/> of micro-shards <c>[first, first + count)</c>: forgets
    /// the residuals when the assignment changed (pass (-1, -1) when the run does); for a retried
    /// step restores them to what they were before its first attempt, so the retry pushes the
    /// same bits (the server keeps the first copy of each chunk); otherwise keeps that state.
    /// </summary>
    public void BeginStep(int firstShard, int shardCount, long step)
    {
        if (_assignment != (firstShard, shardCount))
        {
            _residuals.Clear();
            _saved.Clear();
            _assignment = (firstShard, shardCount);
        }
        else if (step == _step)
        {
            foreach (var (node, residual) in _residuals)
            {
                if (_saved.TryGetValue(node, out float[]? saved))
                {
                    saved.CopyTo(residual, 0);
                }
                else
                {
                    Array.Clear(residual); // born in the failed attempt: it was zero before
                }
            }

            return;
        }

        foreach (var (node, residual) in _residuals)
        {
            if (!_saved.TryGetValue(node, out float[]? saved) || saved.Length != residual.Length)
            {
                _saved[node] = saved = new float[residual.Length];
            }

            residual.CopyTo(saved, 0);
        }

        _step = step;
    }
}
