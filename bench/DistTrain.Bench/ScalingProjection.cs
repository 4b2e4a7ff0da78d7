namespace DistTrain.Bench;

/// <summary>
/// A model on paper of W workers on a network of bandwidth b, from what the 2-process run
/// measured: each worker keeps the measured per-worker batch and compute time t_c (weak
/// scaling), there is one server slice per silo, so per step a worker sends (W − 1)/W of its
/// gradient (N floats × 4 bytes, or the wire size per float measured) and receives as much of
/// the new weights: t_net = 2 · N · bytesPerFloat · (W − 1)/W ÷ b (full duplex counted as one
/// direction at a time: a conservative bound), plus the measured apply time. Two bounds:
/// no overlap (step = t_c + t_net + t_apply) and full overlap of the exchange with compute
/// (step = max(t_c, t_net) + t_apply). Efficiency = t_c ÷ step. Latency and incast are left out.
/// </summary>
internal static class ScalingProjection
{
    public static IEnumerable<string> Lines(string model, int batch, int parameters, OrleansMeasurement two)
    {
        // Bytes per float on the wire: what the measured run moved per worker per parameter.
        double perWorkerBytes = two.WireBytesPerStep / Math.Max(1, two.Workers);
        double bytesPerFloat = perWorkerBytes > 0 ? perWorkerBytes / parameters : 4.0;
        foreach (int workers in new[] { 8, 64 })
        {
            foreach (double gbits in new[] { 10.0, 100.0 })
            {
                double bytesPerSecond = gbits * 1e9 / 8;
                double netMs = 2 * parameters * Math.Min(bytesPerFloat, 4.0) * (workers - 1) / workers / bytesPerSecond * 1000;
                double computeMs = two.ComputeMs;
                double noOverlap = computeMs / (computeMs + netMs + two.ApplyMs);
                double fullOverlap = computeMs / (Math.Max(computeMs, netMs) + two.ApplyMs);
                yield return ScalingBenchmark.Invariant(
                    $"case=scaling projection=paper model={model} batch_per_worker={batch / Math.Max(1, two.Workers)} workers={workers} gbit_s={gbits:F0} compute_ms={computeMs:F2} net_ms={netMs:F2} apply_ms={two.ApplyMs:F2} efficiency_no_overlap={noOverlap:F2} efficiency_full_overlap={fullOverlap:F2}");
            }
        }
    }
}
