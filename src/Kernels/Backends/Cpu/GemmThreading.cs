namespace DistTrain.Kernels.Backends.Cpu;

/// <summary>How <see cref="Sgemm"/> spreads its tiles over threads; the results are the same bits either way.</summary>
internal enum GemmThreading
{
    /// <summary>Dedicated <see cref="GemmWorkers"/> threads, no allocation per call.</summary>
    Workers,

    /// <summary><see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> on the .NET thread pool.</summary>
    ParallelFor,
}
