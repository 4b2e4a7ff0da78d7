namespace DistTrain.Bench;

/// <summary>
/// <c>wire</c>: what a silo-to-silo grain message of weights or gradients costs. Two silo
/// processes pinned to one core each (as in <c>scaling</c>); silo A sends B payloads of
/// 256 KB to 4 MB (a push) and fetches them from B (a pull), in 1 or 4 parallel calls, with B
/// idle and with B busy on one thread (as while its worker computes). Median and best of
/// <c>--repeats</c> (default 15) per setting, in ms and GB/s.
/// </summary>
internal static class WireBenchmark
{
    public static int Run(string[] args)
    {
        int repeats = int.TryParse(Option(args, "--repeats"), out int r) ? r : 15;
        return RunAsync(repeats).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int repeats)
    {
        await using var cluster = await ProcessCluster.Start([0, 1]);
        string[] silos = await cluster.SiloKeys();
        var a = cluster.Probe(silos[0]);
        var b = cluster.Probe(silos[1]);
        await a.SendTo(silos[1], 1 << 20, 1, 30); // warm-up
        await a.FetchFrom(silos[1], 1 << 20, 1, 30);
        foreach (bool busy in new[] { false, true })
        {
            foreach (int bytes in new[] { 1 << 18, 1 << 20, 1 << 22 })
            {
                foreach (int chunks in new[] { 1, 4 })
                {
                    foreach (string direction in new[] { "push", "pull" })
                    {
                        Task spin = busy ? b.Spin(2_000) : Task.CompletedTask;
                        await Task.Delay(busy ? 50 : 0);
                        double[] ms = direction == "push" ? await a.SendTo(silos[1], bytes, chunks, repeats) : await a.FetchFrom(silos[1], bytes, chunks, repeats);
                        Array.Sort(ms);
                        double median = ms[ms.Length / 2];
                        Console.WriteLine(ScalingBenchmark.Invariant(
                            $"case=wire direction={direction} receiver_busy={busy} bytes={bytes} chunks={chunks} median_ms={median:F2} best_ms={ms[0]:F2} gb_s={bytes / median / 1e6:F2}"));
                        await spin;
                    }
                }
            }
        }

        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
